"""Who am I, what waits for me, my API tokens; users and roles for those who manage them."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from protocol.services import (
    add_user,
    create_token,
    describe_principal,
    grant_role,
    list_investigators,
    list_notices,
    list_organisation_users,
    list_tokens,
    revoke_token,
)
from web.api.common import READ_ERRORS, WRITE_ERRORS, api_blueprint, errors
from web.api.schemas.accounts import (
    InvestigatorSchema,
    IssuedTokenSchema,
    MeSchema,
    NoticeSchema,
    RoleGrantSchema,
    TokenCreateSchema,
    TokenSchema,
    UserCreateSchema,
    UserQuerySchema,
    UserSchema,
)
from web.context import herstel, principal

blp = api_blueprint("accounts", "", "The signed-in user, API tokens, users and roles")


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    @errors(blp, 401)
    def get(self) -> dict[str, Any]:
        """Who the token belongs to, and their roles per organisation."""
        return describe_principal(principal())


@blp.route("/me/notices")
class MyNotices(MethodView):
    @blp.response(200, NoticeSchema(many=True))
    @errors(blp, 401)
    def get(self) -> list[dict[str, Any]]:
        """What waits for my roles: approvals to give, missed deadlines to act on."""
        return list_notices(uow=herstel().uow(), principal=principal())


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenSchema(many=True))
    @errors(blp, 401)
    def get(self) -> list[dict[str, Any]]:
        """My API tokens (never their secrets)."""
        return list_tokens(uow=herstel().uow(), principal=principal())

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, IssuedTokenSchema)
    @errors(blp, *WRITE_ERRORS, 429)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Issue a token (for myself; an administrator may name another user). The secret is shown once.

        Rate limited (web.extensions.LIMITS)."""
        me = principal()
        issued = create_token(
            uow=herstel().uow(),
            email=body.get("email") or me.email,
            name=body["name"],
            expires_at=body["expires_at"],
            by=me,
        )
        return {
            "id": issued.id,
            "token": issued.secret,
            "prefix": issued.prefix,
            "name": body["name"],
            "expires_at": body["expires_at"],
        }


@blp.route("/tokens/all")
class AllTokens(MethodView):
    @blp.response(200, TokenSchema(many=True))
    @errors(blp, 401, 403)
    def get(self) -> list[dict[str, Any]]:
        """Every user's tokens (administrators)."""
        return list_tokens(uow=herstel().uow(), principal=principal(), all_users=True)


@blp.route("/tokens/<uuid:token_id>")
class Token(MethodView):
    @blp.response(204)
    @errors(blp, 401, 404)
    def delete(self, token_id: uuid.UUID) -> None:
        """Revoke a token: it stops working at once. Mine, or anyone's for an administrator."""
        revoke_token(uow=herstel().uow(), token_id=token_id, principal=principal())


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserQuerySchema, location="query", unknown="raise")
    @blp.response(200, UserSchema(many=True))
    @errors(blp, *READ_ERRORS)
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """The users of the organisations where I manage users."""
        return list_organisation_users(uow=herstel().uow(), principal=principal(), **query)

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a user (or give an existing one roles) in an organisation where I manage users."""
        return add_user(uow=herstel().uow(), principal=principal(), **body)


@blp.route("/users/<uuid:user_id>/roles")
class UserRoles(MethodView):
    @blp.arguments(RoleGrantSchema)
    @blp.response(200, UserSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any], user_id: uuid.UUID) -> dict[str, Any]:
        """Give a user a role; only an administrator can grant the admin role."""
        return grant_role(uow=herstel().uow(), principal=principal(), user_id=user_id, **body)


@blp.route("/investigators")
class Investigators(MethodView):
    @blp.response(200, InvestigatorSchema(many=True))
    @errors(blp, 401, 403)
    def get(self) -> list[dict[str, Any]]:
        """The investigators I can commission (for starting the investigate step)."""
        return list_investigators(uow=herstel().uow(), principal=principal())
