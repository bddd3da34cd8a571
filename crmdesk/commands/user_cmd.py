"""``crmdesk user add|list|passwd``: accounts without the GUI."""

from __future__ import annotations

import argparse
import getpass
import os

from sqlalchemy import select

from crmdesk.commands.base import CliContext, CliError
from crmdesk.db.models import Role, User
from crmdesk.services.passwords import hash_password
from crmdesk.services.permissions import PermissionDenied
from crmdesk.services.users import AuthError, create_first_owner, create_user, has_login_users


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("user", help="list and add users, set passwords")
    usub = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = usub.add_parser("add", help="add a user (the first one added becomes the owner)")
    add.add_argument("username")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.SALES.value)
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--password", help="password (default: ask, or the CRMDESK_PASSWORD variable)")
    add.set_defaults(func=run_add)
    ls = usub.add_parser("list", help="list users")
    ls.set_defaults(func=run_list)
    pw = usub.add_parser("passwd", help="set a user's password")
    pw.add_argument("username")
    pw.add_argument("--password")
    pw.set_defaults(func=run_passwd)


def _password(args: argparse.Namespace) -> str:
    if args.password:
        return args.password
    if os.environ.get("CRMDESK_PASSWORD"):
        return os.environ["CRMDESK_PASSWORD"]
    return getpass.getpass("Password: ")


def run_add(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.transaction() as (session, actor):
        try:
            if not has_login_users(session):
                user = create_first_owner(session, args.username, _password(args), args.name)
            else:
                user = create_user(session, actor, args.username, _password(args), args.role, args.name)
        except (AuthError, PermissionDenied) as exc:
            raise CliError(str(exc)) from exc
        print(f"added {user.username} ({user.role})")
    return 0


def run_list(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.transaction() as (session, _actor):
        for user in session.scalars(select(User).order_by(User.id)):
            login = "login" if user.password_hash else "no-login"
            state = "active" if user.active else "inactive"
            print(f"{user.username}\t{user.role}\t{user.display_name}\t{login}\t{state}")
    return 0


def run_passwd(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.transaction() as (session, actor):
        user = session.scalar(select(User).where(User.username == args.username))
        if user is None:
            raise CliError(f"no user named {args.username!r}")
        if actor.user_id != user.id and not actor.is_owner:
            raise CliError("only the owner may set another user's password")
        password = _password(args)
        if len(password) < 4:
            raise CliError("a password needs at least 4 characters")
        user.password_hash = hash_password(password)
        print(f"password set for {user.username}")
    return 0
