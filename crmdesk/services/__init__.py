"""Business services. Each call takes the caller's session and an ``Actor``;
services never commit (the caller owns the transaction) and never import Qt."""
