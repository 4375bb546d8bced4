"""Login and token mutations."""

from __future__ import annotations

import strawberry

from domain import account_deletion as deletion_rules
from resolvers import auth as auth_uc
from resolvers.account_deletion import deletion_of
from schema.common import UserError
from schema.context import Info
from schema.data_rights import AccountDeletion
from schema.mutations import payload_mutation
from schema.users import User


@strawberry.type
class AuthPayload:
    access_token: str | None = strawberry.field(
        default=None,
        description=("Send it as `Authorization: Bearer <token>`; valid ACCESS_TOKEN_MINUTES (15 by default)."),
    )
    refresh_token: str | None = strawberry.field(
        default=None, description=("Trade it with refreshToken for new tokens; valid REFRESH_TOKEN_DAYS (30), once.")
    )
    user: User | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)

    @strawberry.field(
        description="The signed-in user's account deletion while it is PENDING (its cooling-off period: "
        "cancelAccountDeletion undoes it); null otherwise."
    )
    async def account_deletion(self, info: Info) -> AccountDeletion | None:
        if self.user is None:
            return None
        found = await deletion_of(info.context.services, self.user.doc["_id"])
        return AccountDeletion.from_doc(found) if found and found["status"] == deletion_rules.PENDING else None

    @classmethod
    def of(cls, session: auth_uc.Session) -> AuthPayload:
        return cls(
            access_token=session.access_token, refresh_token=session.refresh_token, user=User.from_doc(session.user)
        )


@strawberry.input
class WechatLoginInput:
    code: str = strawberry.field(description="The code from wx.login(), exchanged server-side through code2Session.")
    invite_code: str | None = strawberry.field(
        default=None, description="An invite code or share token that brought this user, if any."
    )


@strawberry.input
class DevLoginInput:
    nickname: str = strawberry.field(description="Signs in as the user of this nickname (made on first use).")
    invite_code: str | None = strawberry.field(default=None, description="An inviter's code, for a new user.")


@strawberry.input
class RefreshTokenInput:
    refresh_token: str = strawberry.field(description="The refresh token of the login.")


@strawberry.type
class LogoutPayload:
    ok: bool = strawberry.field(default=False, description="True once the login is revoked.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AuthMutations:
    @payload_mutation(
        AuthPayload,
        login=False,
        description=(
            "Signs in with a wx.login() code (a new user on first use). INVALID_INPUT for a bad or used code; "
            "FORBIDDEN when WeChat is not configured; RATE_LIMITED."
        ),
    )
    async def login_with_wechat(self, info: Info, input: WechatLoginInput) -> AuthPayload:
        return AuthPayload.of(await auth_uc.wechat_login(info.context.services, input.code, input.invite_code))

    @payload_mutation(AuthPayload, login=False, description="Only when the server runs with DEV_LOGIN=1.")
    async def dev_login(self, info: Info, input: DevLoginInput) -> AuthPayload:
        return AuthPayload.of(await auth_uc.dev_login(info.context.services, input.nickname, input.invite_code))

    @payload_mutation(
        AuthPayload, login=False, description="Rotates the refresh token; a reused one revokes its login."
    )
    async def refresh_token(self, info: Info, input: RefreshTokenInput) -> AuthPayload:
        return AuthPayload.of(await auth_uc.refresh(info.context.services, input.refresh_token))

    @payload_mutation(LogoutPayload, login=False, description="Revokes the login this refresh token belongs to.")
    async def logout(self, info: Info, input: RefreshTokenInput) -> LogoutPayload:
        await auth_uc.logout(info.context.services, input.refresh_token)
        return LogoutPayload(ok=True)
