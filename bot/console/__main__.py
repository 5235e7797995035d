"""Console accounts from the command line.

    python -m bot.console add-user NAME --role counsellor|admin   (password on standard input)
    python -m bot.console set-password NAME                       (password on standard input)
    python -m bot.console set-role NAME --role counsellor|admin
    python -m bot.console disable NAME | enable NAME
    python -m bot.console list-users

The database is the one ``DATABASE_URL`` names (migrated first). A password
is read from the first line of standard input; on a terminal it is asked for
twice without echo.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from bot.console.auth import ROLES, AccountError, Accounts
from pes.db import Database


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise SystemExit(2)


def read_password(stdin: TextIO) -> str:
    if stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != first:
            raise AccountError("the two passwords differ")
        return first
    return stdin.readline().rstrip("\r\n")


def parser() -> argparse.ArgumentParser:
    root = _Parser(prog="python -m bot.console", description="Counsellor console accounts.")
    commands = root.add_subparsers(dest="command", required=True, parser_class=_Parser)
    add = commands.add_parser("add-user", help="create an account (password on standard input)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    password = commands.add_parser("set-password", help="new password (on standard input)")
    password.add_argument("name")
    role = commands.add_parser("set-role", help="change an account's role")
    role.add_argument("name")
    role.add_argument("--role", required=True, choices=ROLES)
    for name in ("disable", "enable"):
        commands.add_parser(name, help=f"{name} an account").add_argument("name")
    commands.add_parser("list-users", help="list the accounts")
    return root


def main(argv: list[str] | None = None, stdin: TextIO | None = None) -> int:
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    stdin = stdin or sys.stdin
    database = Database.from_env()
    try:
        database.upgrade()
        accounts = Accounts(database)
        if args.command == "add-user":
            account = accounts.add(args.name, args.role, read_password(stdin))
            print(f"created {account.name} ({account.role})")
        elif args.command == "set-password":
            accounts.set_password(args.name, read_password(stdin))
            print(f"password of {args.name} changed; their sessions ended")
        elif args.command == "set-role":
            accounts.set_role(args.name, args.role)
            print(f"{args.name} is now {args.role}")
        elif args.command in ("disable", "enable"):
            accounts.set_disabled(args.name, args.command == "disable")
            print(f"{args.name} {args.command}d")
        else:
            for account in accounts.all():
                state = " (disabled)" if account.disabled else ""
                print(f"{account.name}\t{account.role}{state}")
    except AccountError as exc:
        print(f"python -m bot.console: {exc}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
