"""Request bodies of the API (Pydantic); unknown fields are refused."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(_In):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class PasswordChangeIn(_In):
    old_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class TokenIn(_In):
    name: str = Field("api", max_length=200)
    days: float | None = Field(365, gt=0)


class UserIn(_In):
    username: str
    role: str
    password: str | None = None
    display_name: str = ""
    provider: str | None = None
    unit: str | None = None


class UserPatch(_In):
    role: str | None = None
    provider: str | None = None
    unit: str | None = None
    active: bool | None = None
    display_name: str | None = None


class PasswordResetIn(_In):
    password: str | None = None


class UnitIn(_In):
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    unit_class: str | None = Field(None, alias="class", max_length=64)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class IndicatorPatch(_In):
    provider: str | None = None
    target: float | None = None


class PeriodIn(_In):
    key: str
    framework: str
    version: str
    deadline: str | None = None


class StateIn(_In):
    state: str
    reason: str = ""


class PushValue(_In):
    unit: str
    indicator: str
    value: float | str | None
    note: str = ""


class PushIn(_In):
    reason: str = ""
    values: list[PushValue] = Field(min_length=1, max_length=100_000)


class ExplainIn(_In):
    explanations: dict[int, str]


class DecisionIn(_In):
    note: str = ""


class ReturnIn(_In):
    reason: str


class RunIn(_In):
    index: dict | None = None
