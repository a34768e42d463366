"""Masking customers' data in reports (对投诉举报者严格保密)."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """王小明 → 王*明, 王明 → 王*, 欧阳小明 → 欧**明."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """13912345678 → 139****5678; keeps the first 3 and last 4 digits of longer numbers."""
    digits = [i for i, ch in enumerate(phone or "") if ch.isdigit()]
    if len(digits) < 7:
        return "*" * len(phone or "")
    hide = set(digits[3:-4])
    return "".join("*" if i in hide else ch for i, ch in enumerate(phone))


def mask_account(account: str) -> str:
    """Keep the last 4 characters of an account number."""
    account = (account or "").strip()
    if len(account) <= 4:
        return "*" * len(account)
    return "*" * (len(account) - 4) + account[-4:]


def mask_address(address: str) -> str:
    """Keep roughly the first third (district, street), hide the rest (house number)."""
    address = (address or "").strip()
    if len(address) <= 3:
        return "*" * len(address)
    keep = max(3, len(address) // 3)
    return address[:keep] + "*" * min(6, len(address) - keep)
