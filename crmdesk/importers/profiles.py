"""Import profiles: how to read one export layout, as a small TOML file.

A profile names the kind, how to read the file and which column is which field, so a new
layout imports without code. Every key is optional; what is left out is detected::

    name = "my-shop-sales"        # shown in import history; defaults to the file name
    kind = "sales"                # customers | products | sales | receipts | stock
    encoding = "gb18030"          # text files: utf-8, utf-8-sig, gb18030, utf-16, cp1252 …
    delimiter = ","               # text files: "," "\\t" ";" "|" or " " (runs of whitespace)
    sheet = "单据明细"             # Excel: sheet name, or its 1-based number
    header_row = 3                # 1-based row of the column headers in the file
    date_format = "%d.%m.%Y"      # strptime format when the automatic reading is wrong
    dayfirst = false              # 3/7/2024 is 3 July when true (automatic only)
    brand_from_name = false       # products without a brand get the first word of their name
    walk_in_customer = "散客"      # sales/receipts rows without a customer go to this customer
    return_prefix = "C"           # order numbers starting with this are returns (Online Retail)
    non_product_codes = ["POST"]  # product codes that are fees/postage, not goods: rejected, reported
    paid_at_sale = true           # sales: every sale of the file was paid on the spot (not owed)
    branch = "B2"                 # sales, receipts, stock: the branch (门店) the file comes from (its code)
    match = ["Row ID", "Segment"] # headers that make ``auto`` choose this profile

    [columns]                     # header in the file = field (see ``fields.FIELDS``)
    "Order ID" = "order_number"
    "Sales" = "amount"
    "备用列" = ""                  # empty: ignore this column

    [constants]                   # a fixed value for a field on every row
    warehouse = "总店"

Columns the ``[columns]`` table does not mention are still mapped by the built-in synonyms
unless ``only_listed_columns = true``.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import tomli_w

from crmdesk.i18n import _
from crmdesk.importers.fields import FIELDS, KINDS, header_key
from crmdesk.paths import config_dir

SHIPPED_DIR = Path(__file__).with_name("profiles")


class ProfileError(ValueError):
    pass


@dataclass
class Profile:
    name: str = "auto"
    kind: str = ""
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    header_row: int = 0
    date_format: str = ""
    dayfirst: bool = False
    brand_from_name: bool = False
    walk_in_customer: str = "散客"
    return_prefix: str = ""
    non_product_codes: list[str] = field(default_factory=list)
    paid_at_sale: bool = False  # sales files: settled at sale, whatever the customer (services.settlement)
    branch: str = ""  # code of the branch the file comes from ("" = none; checked when importing)
    match: list[str] = field(default_factory=list)
    only_listed_columns: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)

    def validate(self) -> Profile:
        if self.kind and self.kind not in KINDS:
            raise ProfileError(_("profile {name}: unknown kind {kind}; use one of {kinds}").format(
                name=self.name, kind=self.kind, kinds=", ".join(KINDS)))
        known = {f.name for fields in FIELDS.values() for f in fields}
        for header, fname in {**self.columns, **{k: k for k in self.constants}}.items():
            if fname and fname not in known:
                raise ProfileError(_("profile {name}: unknown field {field} (column {column})").format(
                    name=self.name, field=fname, column=header))
        if self.header_row < 0:
            raise ProfileError(_("profile {name}: header_row must be 1 or more").format(name=self.name))
        return self

    def encoding_for(self, path: str | Path) -> str:
        """The encoding to read ``path`` with: the profile's, unless the file starts with a
        byte-order mark. A BOM is proof; a profile's encoding is only what its layout usually
        comes in (the same export saved again by Excel gets a UTF-8 BOM)."""
        return bom_encoding(path) or self.encoding

    def matches(self, headers: list[str]) -> bool:
        keys = {header_key(h) for h in headers}
        return bool(self.match) and all(header_key(m) in keys for m in self.match)


# Longest first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xef\xbb\xbf", "utf-8-sig"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def bom_encoding(path: str | Path) -> str:
    """The encoding a text file's byte-order mark proves, else "" (also for workbooks and unreadable paths)."""
    try:
        with Path(path).open("rb") as fh:
            start = fh.read(4)
    except OSError:
        return ""
    if start.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # xlsx / xls: no text encoding
        return ""
    return next((enc for mark, enc in _BOMS if start.startswith(mark)), "")


def user_profiles_dir() -> Path:
    path = config_dir() / "import_profiles"
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_profile_file(path: str | Path) -> Profile:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(_("{file}: not a readable profile ({error})").format(file=path.name, error=exc)) from exc
    data.setdefault("name", path.stem)
    allowed = set(Profile.__dataclass_fields__)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ProfileError(_("{file}: unknown profile keys {keys}").format(file=path.name, keys=", ".join(unknown)))
    data["columns"] = {str(k): str(v) for k, v in data.get("columns", {}).items()}
    data["constants"] = {str(k): str(v) for k, v in data.get("constants", {}).items()}
    return Profile(**data).validate()


def list_profiles() -> list[str]:
    """Names of the shipped and the user's profiles (user ones shadow shipped ones)."""
    names = {p.stem for p in SHIPPED_DIR.glob("*.toml")} | {p.stem for p in user_profiles_dir().glob("*.toml")}
    return sorted(names)


def load_profile(name_or_path: str | Path | None) -> Profile:
    """A profile by name (user folder, then shipped), by path to a .toml file, or ``auto``."""
    if name_or_path in (None, "", "auto"):
        return Profile()
    text = str(name_or_path)
    if text.endswith(".toml") or "/" in text or "\\" in text:
        return load_profile_file(text)
    for folder in (user_profiles_dir(), SHIPPED_DIR):
        candidate = folder / f"{text}.toml"
        if candidate.is_file():
            return load_profile_file(candidate)
    raise ProfileError(_("no import profile named {name} (known: {names})").format(
        name=text, names=", ".join(list_profiles())))


def shipped_profiles() -> list[Profile]:
    return [load_profile_file(p) for p in sorted(SHIPPED_DIR.glob("*.toml"))]


def profile_for_headers(headers: list[str]) -> Profile | None:
    """A shipped or user profile whose ``match`` headers are all present, else None."""
    candidates = [load_profile_file(p) for p in sorted(user_profiles_dir().glob("*.toml"))] + shipped_profiles()
    for profile in candidates:
        if profile.matches(headers):
            return profile
    return None


def profile_to_toml(profile: Profile) -> str:
    data = {k: v for k, v in asdict(profile).items() if v not in ("", 0, False, [], {}) or k == "name"}
    return tomli_w.dumps(data)


def save_profile(profile: Profile, path: str | Path | None = None) -> Path:
    """Write ``profile`` as TOML (default: the user's profile folder, ``<name>.toml``); returns the path."""
    profile.validate()
    target = Path(path) if path else user_profiles_dir() / f"{profile.name}.toml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(profile_to_toml(profile), encoding="utf-8")
    return target
