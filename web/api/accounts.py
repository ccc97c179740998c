"""Who am I, what waits for me, my API tokens; users and roles for those who manage them."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from protocol.services import (
    accept_my_invitation,
    create_token,
    describe_principal,
    get_principal,
    grant_role,
    invite_user,
    list_investigators,
    list_notices,
    list_organisation_users,
    list_tokens,
    list_user_audit,
    my_invitations,
    remove_role,
    revoke_token,
)
from web.api.common import READ_ERRORS, WRITE_ERRORS, api_blueprint, errors
from web.api.schemas.accounts import (
    InvestigatorSchema,
    InvitationSchema,
    IssuedTokenSchema,
    MeSchema,
    MyInvitationSchema,
    NoticeSchema,
    RoleGrantSchema,
    RoleRemoveQuerySchema,
    TokenCreateSchema,
    TokenSchema,
    UserAuditSchema,
    UserCreateSchema,
    UserQuerySchema,
    UserSchema,
)
from web.context import herstel, principal
from web.staff_mail import send_invitation

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


@blp.route("/me/invitations")
class MyInvitations(MethodView):
    @blp.response(200, MyInvitationSchema(many=True))
    @errors(blp, 401)
    def get(self) -> list[dict[str, Any]]:
        """Open invitations to my own address, from organisations I may join."""
        return my_invitations(uow=herstel().uow(), principal=principal())


@blp.route("/me/invitations/<uuid:invitation_id>/accept")
class MyInvitationAccept(MethodView):
    @blp.response(200, MeSchema)
    @errors(blp, 401, 404, 409)
    def post(self, invitation_id: uuid.UUID) -> dict[str, Any]:
        """Accept an invitation to my own address: I get its roles in its organisation."""
        accept_my_invitation(uow=herstel().uow(), principal=principal(), invitation_id=invitation_id)
        return describe_principal(get_principal(uow=herstel().uow(), user_id=principal().user_id))


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
        """Issue a token for myself (nobody issues one for another). The secret is shown once.

        Rate limited (web.extensions.LIMITS)."""
        me = principal()
        issued = create_token(
            uow=herstel().uow(), by=me, email=me.email, name=body["name"], expires_at=body["expires_at"]
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
        """The tokens of the users of the organisations where I am administrator."""
        return list_tokens(uow=herstel().uow(), principal=principal(), all_users=True)


@blp.route("/tokens/<uuid:token_id>")
class Token(MethodView):
    @blp.response(204)
    @errors(blp, 401, 404)
    def delete(self, token_id: uuid.UUID) -> None:
        """Revoke a token: it stops working at once. Mine, or, as administrator, one of my organisations' users."""
        revoke_token(uow=herstel().uow(), principal=principal(), token_id=token_id)


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserQuerySchema, location="query", unknown="raise")
    @blp.response(200, UserSchema(many=True))
    @errors(blp, *READ_ERRORS)
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """The users of the organisations where I manage users."""
        return list_organisation_users(uow=herstel().uow(), principal=principal(), **query)

    @blp.arguments(UserCreateSchema)
    @blp.response(201, InvitationSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Invite someone into an organisation where I manage users; the link to accept is e-mailed to them.

        Nothing is added until they accept, and the reply is the same whether or not the address has
        an account elsewhere."""
        invitation = invite_user(uow=herstel().uow(), principal=principal(), **body)
        return {**invitation.as_dict(), "mailed": send_invitation(herstel().settings, invitation)}


@blp.route("/users/audit")
class UserAudit(MethodView):
    @blp.response(200, UserAuditSchema(many=True))
    @errors(blp, 401, 403)
    def get(self) -> list[dict[str, Any]]:
        """Who invited, granted, removed and switched off whom, in the organisations where I may read it."""
        return list_user_audit(uow=herstel().uow(), principal=principal())


@blp.route("/users/<uuid:user_id>/roles")
class UserRoles(MethodView):
    @blp.arguments(RoleGrantSchema)
    @blp.response(200, UserSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any], user_id: uuid.UUID) -> dict[str, Any]:
        """Give a user of my organisation a role; coordinator, oversight and admin only an administrator grants."""
        return grant_role(uow=herstel().uow(), principal=principal(), user_id=user_id, **body)


@blp.route("/users/<uuid:user_id>/roles/<role>")
class UserRole(MethodView):
    @blp.arguments(RoleRemoveQuerySchema, location="query")
    @blp.response(200, UserSchema)
    @errors(blp, *WRITE_ERRORS)
    def delete(self, query: dict[str, Any], user_id: uuid.UUID, role: str) -> dict[str, Any]:
        """Take a role away; who may grant a role may remove it."""
        return remove_role(uow=herstel().uow(), principal=principal(), user_id=user_id, role=role, **query)


@blp.route("/investigators")
class Investigators(MethodView):
    @blp.response(200, InvestigatorSchema(many=True))
    @errors(blp, 401, 403)
    def get(self) -> list[dict[str, Any]]:
        """The investigators I can commission (for starting the investigate step)."""
        return list_investigators(uow=herstel().uow(), principal=principal())
