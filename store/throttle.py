"""Login throttling: every attempt is counted BEFORE its password is checked, in the storage all
workers share (Redis in production through RATELIMIT_STORAGE_URI; memory in development).

Why not Flask-Limiter's decorators, which did this before: a limit with `deduct_when` is tested
before the view runs and counted after the response, so requests arriving together all pass the
test - 40 concurrent wrong passwords got 25 argon2 checks with a limit of 5 (issue 11). Here the
count is the test: the `limits` library's storages (the same ones Flask-Limiter uses) increment
atomically and return the new count (a Lua script on Redis, a lock in memory), so however many
attempts arrive at once, at most `limit` of them get past a counter in its window.

The policy (README, "The editor desk"), chosen so that a stranger cannot lock an editor out:

1. Per account AND address: 5 failures in 15 minutes, then that address must wait out the rest of
   the 15 minutes - for that account only. A stranger guessing from elsewhere fills their own
   count, not the editor's.
2. Per address: 20 failures in 15 minutes across all accounts (one address spraying many names,
   or trying new names to dodge rule 1).
3. Per account, from all addresses together: 10 failures in 24 hours are free; after that each
   attempt must come 2^k seconds after the previous one (1, 2, 4 ... capped at 5 minutes). An
   attacker with a thousand addresses thus gets about 300 guesses a day at one account instead
   of 5 per address per 15 minutes. It is a delay, never a lock, and it does not apply to a
   client the account trusts: a browser with this account's device cookie, or an address the
   account logged in from successfully in the last 30 days (OWASP, "Slow down online guessing
   attacks with device cookies"). So the editor at their usual desk logs in with the right
   password while the spraying goes on; on a new computer they wait the delay, or an
   administrator presses 解除登录限制 on /desk/editors, which clears the account's counters.

What remains: someone behind the same address as the editor (one office network) shares rules 1
and 2 with them; an administrator's unlock helps only until the attacker tries again.

Counting: an attempt refused by one rule gives back what it took from the earlier ones, so
knocking on a closed door neither lengthens the wait nor uses up the office's address budget;
refusals are counted separately (shown on /desk/editors). A successful login gives back its
attempt and clears its account-and-address count. The audit log gets one entry when throttling
starts - per address (rules 1 and 2) or per account (rule 3) and 15 minutes - not one per refusal.

When the storage cannot be reached, every method that counts raises ThrottleUnavailable: the login
answers 503 rather than checking passwords with no limit (fails closed; README, Production).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from urllib.parse import quote

from limits.errors import StorageError
from limits.storage import Storage, storage_from_string

PAIR, ADDRESS, ACCOUNT = "per-pair", "per-address", "account-backoff"
REASON_LABELS = {PAIR: "此账号在此地址失败过多", ADDRESS: "此地址失败过多（各账号合计）",
                 ACCOUNT: "此账号各处失败过多，须逐次等待"}
MINUTE, HOUR, DAY = 60, 3600, 86400
# Redis answers in well under a millisecond on the same machine; a hung Redis must not hold a
# login (or a worker thread) for redis-py's default of no timeout.
REDIS_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}


class ThrottleUnavailable(Exception):
    """The counters cannot be read or written (Redis down): refuse to check passwords."""


@dataclass(frozen=True)
class Policy:
    pair_limit: int = 5
    pair_window: int = 15 * MINUTE
    address_limit: int = 20
    address_window: int = 15 * MINUTE
    account_free: int = 10
    account_window: int = DAY
    backoff_first: int = 1
    backoff_cap: int = 5 * MINUTE
    trusted_for: int = 30 * DAY
    audit_window: int = 15 * MINUTE

    def delay(self, attempts: int) -> int:
        """Seconds the attempt number `attempts` (on one account, in its window) must keep from
        the previous one, for a client the account does not trust: 0, then 1, 2, 4 … cap."""
        over = attempts - self.account_free
        if over <= 0:
            return 0
        return min(self.backoff_first * 2 ** min(over - 1, 30), self.backoff_cap)


@dataclass
class Attempt:
    account: str
    address: str
    allowed: bool
    reason: str | None = None           # PAIR, ADDRESS or ACCOUNT when refused
    retry_after: int = 0                # seconds
    audit: bool = False                 # the first refusal of its address/account in the window
    _pair_key: str = ""


@dataclass
class AccountStatus:
    failures: int           # failed attempts in the account window (24 hours)
    refused: int            # attempts refused by the throttle in the same window
    delay: int              # seconds between attempts from clients the account does not trust
    limited_until: float | None     # epoch seconds: every client it does not trust waits till then


@dataclass
class AddressLimit:
    """One address limited: for every account (rule 2, account None) or for one (rule 1)."""
    address: str
    account: str | None
    reason: str             # ADDRESS or PAIR
    until: float            # epoch seconds


def _part(value: str) -> str:
    # Keys are built from what a stranger types: quoting makes ":" in a name unable to forge
    # another account's key.
    return quote(value, safe="")


class LoginThrottle:
    def __init__(self, storage: Storage, policy: Policy | None = None):
        self.storage = storage
        self.policy = policy or Policy()

    @classmethod
    def from_uri(cls, uri: str, *, key_prefix: str = "desk-login", policy: Policy | None = None,
                 **overrides) -> "LoginThrottle":
        options: dict = {"wrap_exceptions": True}
        if uri.split(":", 1)[0].startswith(("redis", "valkey")):
            options.update(REDIS_OPTIONS, key_prefix=key_prefix)
        policy = replace(policy or Policy(), **overrides) if overrides else policy
        storage = storage_from_string(uri, **options)
        # An "async+redis://" URI gives limits' asyncio storage, whose calls return coroutines:
        # the counting below is synchronous, so such a URI is refused here rather than misread.
        if not isinstance(storage, Storage):
            raise ValueError(f"登录限制的存储须为同步连接，例如 redis://127.0.0.1:6379/0，而不是 {uri.split(':', 1)[0]}://")
        return cls(storage, policy)

    # --- counting ---------------------------------------------------------------------------

    def attempt(self, account: str, address: str, *, trusted_device: bool = False) -> Attempt:
        """Count one login attempt before its password is checked; `allowed` says whether to check it."""
        try:
            return self._attempt(account, address, trusted_device)
        except StorageError as exc:
            raise ThrottleUnavailable(str(exc)) from exc

    def _attempt(self, account: str, address: str, trusted_device: bool) -> Attempt:
        p, s = self.policy, self.storage
        acct, addr = _part(account), _part(address)
        pair_key = f"pair:{acct}:{s.get(f'gen:{acct}')}:{addr}"
        taken: list[tuple[str, int]] = []       # counters this attempt took one from

        def refuse(reason: str, until_key: str) -> Attempt:
            for key, window in taken:
                s.incr(key, window, amount=-1)
            retry = max(1, math.ceil(s.get_expiry(until_key) - time.time()))
            s.incr(f"refused:addr:{addr}", p.address_window)
            if reason != ADDRESS:
                # Only when this account is what is limited: a spray of made-up names refused
                # for its address must not leave a key per name behind.
                s.incr(f"refused:acct:{acct}", p.account_window)
            # Until when each is limited is read from the counters themselves (limits() below):
            # a refusal at one address is not a limit on the account (/desk/editors said the
            # account was limited while its editor logged in from another address).
            audit_key = f"audited:acct:{acct}" if reason == ACCOUNT else f"audited:addr:{addr}"
            first = s.incr(audit_key, p.audit_window) == 1
            return Attempt(account, address, False, reason, retry, first)

        # The address first: a refused spray of new names then creates no per-name keys at all.
        taken.append((f"addr:{addr}", p.address_window))
        if s.incr(f"addr:{addr}", p.address_window) > p.address_limit:
            return refuse(ADDRESS, f"addr:{addr}")
        taken.append((pair_key, p.pair_window))
        if s.incr(pair_key, p.pair_window) > p.pair_limit:
            return refuse(PAIR, pair_key)
        taken.append((f"acct:{acct}", p.account_window))
        attempts = s.incr(f"acct:{acct}", p.account_window)
        delay = p.delay(attempts)
        if delay and not (trusted_device or s.get(f"known:{acct}:{addr}") > 0):
            # One attempt per `delay` seconds: the first to create the slot key has it.
            if s.incr(f"slot:{acct}", delay) > 1:
                return refuse(ACCOUNT, f"slot:{acct}")
        return Attempt(account, address, True, _pair_key=pair_key)

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the attempt does not count, and the address becomes trusted.
        Storage errors are left to the caller (the login itself has already been decided)."""
        p, s = self.policy, self.storage
        acct, addr = _part(attempt.account), _part(attempt.address)
        try:
            s.clear(attempt._pair_key)
            s.incr(f"addr:{addr}", p.address_window, amount=-1)
            s.incr(f"acct:{acct}", p.account_window, amount=-1)
            known = f"known:{acct}:{addr}"
            s.clear(known)              # re-created: trusted for `trusted_for` from this login
            s.incr(known, p.trusted_for)
        except StorageError as exc:
            raise ThrottleUnavailable(str(exc)) from exc

    # --- what the desk shows and does -------------------------------------------------------

    def account_status(self, account: str) -> AccountStatus:
        p, s = self.policy, self.storage
        acct = _part(account)
        try:
            failures = max(0, s.get(f"acct:{acct}"))
            refused = max(0, s.get(f"refused:acct:{acct}"))
            # Rule 3 only, the one limit on the account itself: the next attempt from a client
            # it does not trust waits for the slot. A limit at one address is in limits().
            until = s.get_expiry(f"slot:{acct}") if s.get(f"slot:{acct}") > 0 else None
        except StorageError as exc:
            raise ThrottleUnavailable(str(exc)) from exc
        return AccountStatus(failures, refused, p.delay(failures + 1), until)

    def address_status(self, address: str) -> tuple[int, float | None]:
        """(refusals in the address window, until when it is limited for every account) of one address."""
        p, s, addr = self.policy, self.storage, _part(address)
        try:
            refused = max(0, s.get(f"refused:addr:{addr}"))
            until = s.get_expiry(f"addr:{addr}") if s.get(f"addr:{addr}") >= p.address_limit else None
        except StorageError as exc:
            raise ThrottleUnavailable(str(exc)) from exc
        return refused, until

    def limits(self, address: str, accounts: list[str]) -> list[AddressLimit]:
        """What is limited at this address now: all accounts (rule 2), and each of `accounts`
        whose failures there reached rule 1's limit (a count of the account's generation:
        an unlock ends it). The counters' own expiry is when it ends."""
        p, s, addr = self.policy, self.storage, _part(address)
        out = []
        try:
            _refused, until = self.address_status(address)
            if until:
                out.append(AddressLimit(address, None, ADDRESS, until))
            for account in accounts:
                acct = _part(account)
                pair_key = f"pair:{acct}:{s.get(f'gen:{acct}')}:{addr}"
                if s.get(pair_key) >= p.pair_limit:
                    out.append(AddressLimit(address, account, PAIR, s.get_expiry(pair_key)))
        except StorageError as exc:
            raise ThrottleUnavailable(str(exc)) from exc
        return out

    def unlock(self, account: str) -> None:
        """Clear the account's counters; a new generation number orphans all its per-address
        counts, which cannot be listed in a key-value counter store."""
        p, s = self.policy, self.storage
        acct = _part(account)
        try:
            for key in (f"acct:{acct}", f"slot:{acct}", f"refused:acct:{acct}", f"audited:acct:{acct}"):
                s.clear(key)
            # Outlives every per-address count it orphans; should it expire and restart at 0,
            # the counts of generation 0 have long expired.
            s.incr(f"gen:{acct}", max(p.pair_window, DAY))
        except StorageError as exc:
            raise ThrottleUnavailable(str(exc)) from exc
