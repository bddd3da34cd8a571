"""``crmdesk user add|list|passwd|edit``: accounts without the GUI, through ``services.users``
(so the owner-only rules hold here as in the app).

A password being set comes from ``CRMDESK_NEW_PASSWORD``, else a hidden prompt (typed twice)
when stdin is a terminal; ``--password`` still works but shows in process lists, so it warns.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.commands.base import EXIT_USAGE, NEW_PASSWORD_ENV, CliContext, CliError, ask_password
from crmdesk.db.models import Role, Territory, User
from crmdesk.i18n import _
from crmdesk.services.permissions import PermissionDenied, can
from crmdesk.services.users import (AuthError, change_own_password, check_password_rules, create_first_owner,
                                    create_user, has_login_users, list_users, local_time, reset_password,
                                    update_user, user_by_name)

ROLE_CHOICES = [r.value for r in Role]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("user", help="list, add and edit users, set passwords")
    usub = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = usub.add_parser("add", help="add a user (the first one added becomes the owner); an imported "
                                      "salesperson of that name becomes the account")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLE_CHOICES, help="role (default sales; the first user is the owner)")
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--password", help=f"password (shows in process lists: prefer {NEW_PASSWORD_ENV} or the prompt)")
    add.set_defaults(func=run_add)
    ls = usub.add_parser("list", help="list users (owner)")
    ls.set_defaults(func=run_list)
    pw = usub.add_parser("passwd", help="set your own password, or (owner) another user's")
    pw.add_argument("username")
    pw.add_argument("--password", help=f"new password (shows in process lists: prefer {NEW_PASSWORD_ENV})")
    pw.set_defaults(func=run_passwd)
    ed = usub.add_parser("edit", help="change a user's role, name, active state or territories (owner)")
    ed.add_argument("username")
    ed.add_argument("--role", choices=ROLE_CHOICES)
    ed.add_argument("--name", help="display name")
    state = ed.add_mutually_exclusive_group()
    state.add_argument("--activate", dest="active", action="store_const", const=True)
    state.add_argument("--deactivate", dest="active", action="store_const", const=False)
    ed.add_argument("--territories", metavar="NAMES", help='territory names, comma-separated ("" clears)')
    ed.set_defaults(func=run_edit)


def _new_password(args: argparse.Namespace, username: str) -> str:
    """The password being set, checked against the rules (exit 2 when it breaks them)."""
    if args.password:
        print(_("warning: --password shows in process lists; use {env} or the prompt").format(
            env=NEW_PASSWORD_ENV), file=sys.stderr)
        password = args.password
    elif os.environ.get(NEW_PASSWORD_ENV):
        password = os.environ[NEW_PASSWORD_ENV]
    else:
        password = ask_password(_("New password for {user}: ").format(user=username))
        if password is None:
            raise CliError(_("no password for {user}: set {env} or run in a terminal").format(
                user=username, env=NEW_PASSWORD_ENV), EXIT_USAGE)
        if ask_password(_("Repeat the password: ")) != password:
            raise CliError(_("the two passwords differ"), EXIT_USAGE)
    try:
        check_password_rules(password)
    except AuthError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    return password


def _user(session: Session, name: str) -> User:
    user = user_by_name(session, name)
    if user is None:
        raise CliError(_("no user named {name!r}").format(name=name), EXIT_USAGE)
    return user


def run_add(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.transaction() as (session, actor):
        first = not has_login_users(session)
        if not first and not can(actor, "users.manage"):
            raise CliError(str(PermissionDenied("users.manage")), EXIT_USAGE)  # before asking for a password
        password = _new_password(args, args.username)
        last_id = session.scalar(select(func.max(User.id))) or 0
        try:
            if first:
                user = create_first_owner(session, args.username, password, args.name)
            else:
                user = create_user(session, actor, args.username, password, args.role or Role.SALES.value,
                                   args.name)
        except AuthError as exc:
            raise CliError(str(exc)) from exc
        except PermissionDenied as exc:
            raise CliError(str(exc), EXIT_USAGE) from exc
        if first and args.role not in (None, Role.OWNER.value):
            print(_("the first user becomes the owner"), file=sys.stderr)
        if user.id <= last_id:  # an imported salesperson's record became the account
            print(_("{user} (imported salesperson, id {id}) can now log in as {role}").format(
                user=user.username, id=user.id, role=user.role))
        else:
            print(_("added {user} ({role})").format(user=user.username, role=user.role))
    return 0


def run_list(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.transaction() as (session, actor):
        rows = list_users(session, actor)
        names = dict(session.execute(select(Territory.id, Territory.name)).all())
    for r in rows:
        login = _("login") if r.can_login else _("no login yet")
        state = _("enabled") if r.active else _("deactivated")
        locked = _("locked until {time}").format(time=local_time(r.locked_until)) if r.locked_until else ""
        territories = ",".join(names.get(t, str(t)) for t in r.territory_ids)
        print("\t".join((r.username, r.role, r.display_name, login, state, locked, territories)))
    return 0


def run_passwd(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.transaction() as (session, actor):
        user = _user(session, args.username)
        own = actor.user_id is not None and actor.user_id == user.id
        if not own and not can(actor, "users.manage"):
            raise CliError(_("only the owner may set another user's password"), EXIT_USAGE)
        password = _new_password(args, user.username)
        try:
            if own:
                change_own_password(session, actor, ctx.login_password or "", password)
            else:
                reset_password(session, actor, user.id, password)
        except AuthError as exc:
            raise CliError(str(exc)) from exc
        print(_("password set for {user}").format(user=user.username))
    return 0


def _territory_ids(session: Session, text: str) -> list[int]:
    names = [n.strip() for n in re.split(r"[,，、;；]", text) if n.strip()]
    known = dict(session.execute(select(Territory.name, Territory.id).where(Territory.name.in_(names))).all())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise CliError(_("unknown territory {name!r}").format(name=unknown[0]), EXIT_USAGE)
    return [known[n] for n in names]


def run_edit(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.role is None and args.name is None and args.active is None and args.territories is None:
        raise CliError(_("nothing to change: give --role, --name, --activate/--deactivate or --territories"),
                       EXIT_USAGE)
    with ctx.transaction() as (session, actor):
        user = _user(session, args.username)
        territory_ids = None if args.territories is None else _territory_ids(session, args.territories)
        try:
            update_user(session, actor, user.id, display_name=args.name, role=args.role, active=args.active,
                        territory_ids=territory_ids)
        except AuthError as exc:
            raise CliError(str(exc)) from exc
        except PermissionDenied as exc:
            raise CliError(str(exc), EXIT_USAGE) from exc
        print(_("updated {user}").format(user=user.username))
    return 0
