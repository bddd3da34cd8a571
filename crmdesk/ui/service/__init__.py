"""The Service page (售后服务): the case queue, a case with its timeline, new cases."""
