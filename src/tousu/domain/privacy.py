"""Masking customers' data in reports and exports (对投诉举报者严格保密)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tousu.domain.model import Complaint


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


class Masker:
    """Masks one complaint's customer data, also where it appears in free text."""

    def __init__(self, c: Complaint, unmask: bool) -> None:
        cu = c.customer
        self.unmask = unmask
        self.name = cu.name if unmask else mask_name(cu.name)
        self.phone = cu.phone if unmask else mask_phone(cu.phone)
        self.account = cu.account if unmask else mask_account(cu.account)
        self.address = cu.address if unmask else mask_address(cu.address)
        # Longest first, so an address containing the name is replaced whole.
        pairs = [(cu.address, self.address), (cu.account, self.account), (cu.phone, self.phone), (cu.name, self.name)]
        self._pairs = sorted(((raw, m) for raw, m in pairs if raw and len(raw) >= 2 and raw != m),
                             key=lambda p: -len(p[0]))

    def text(self, value: str | None) -> str:
        """Free text (诉求内容, 原因 …) with the customer's own data masked."""
        value = value or ""
        if self.unmask:
            return value
        for raw, masked in self._pairs:
            value = value.replace(raw, masked)
        return value

    def customer(self) -> dict[str, str]:
        return {"name": self.name, "phone": self.phone, "account": self.account, "address": self.address}
