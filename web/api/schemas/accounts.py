"""Who am I, API tokens, users and their roles."""

from __future__ import annotations

import marshmallow as ma

from web.api.common import Input, text

ROLES = ("officer", "coordinator", "investigator", "oversight", "admin")


class MembershipSchema(ma.Schema):
    organisation_id = ma.fields.UUID(required=True)
    roles = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(ROLES)), required=True)


class MeSchema(ma.Schema):
    user_id = ma.fields.UUID(required=True)
    email = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True)
    memberships = ma.fields.List(ma.fields.Nested(MembershipSchema), required=True)


class NoticeSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    incident_id = ma.fields.UUID(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "approval or deadline_missed"})
    role = ma.fields.String(required=True)
    subject = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(required=True)


class TokenSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    user_id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    prefix = ma.fields.String(required=True, metadata={"description": "the first characters, to recognise it"})
    created_at = ma.fields.DateTime(required=True)
    expires_at = ma.fields.DateTime(allow_none=True)
    last_used_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)


class TokenCreateSchema(Input):
    name = text(100, required=False, load_default="api")
    expires_at = ma.fields.AwareDateTime(allow_none=True, load_default=None)


class IssuedTokenSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    token = ma.fields.String(required=True, metadata={"description": "the secret: shown once, never again"})
    prefix = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    expires_at = ma.fields.DateTime(allow_none=True)


class UserRoleSchema(ma.Schema):
    organisation_id = ma.fields.UUID(required=True)
    role = ma.fields.String(required=True)


class UserSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    email = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True)
    active = ma.fields.Boolean(required=True)
    roles = ma.fields.List(ma.fields.Nested(UserRoleSchema), required=True)


class UserQuerySchema(Input):
    role = ma.fields.String(validate=ma.validate.OneOf(ROLES))
    organisation_id = ma.fields.UUID()


class UserCreateSchema(Input):
    """An invitation: the invitee sets their own password through the link mailed to them."""

    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))
    display_name = text(200, required=False)
    roles = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(ROLES)),
        required=True,
        validate=ma.validate.Length(min=1, max=5),
        metadata={"description": "coordinator, oversight and admin only an administrator can grant"},
    )
    organisation_id = ma.fields.UUID(
        required=False, metadata={"description": "default: the one organisation where you manage users"}
    )


class InvitationSchema(ma.Schema):
    """The same reply whether or not the address has an account elsewhere; never the link's secret."""

    id = ma.fields.UUID(required=True)
    email = ma.fields.String(required=True)
    organisation_id = ma.fields.UUID(required=True)
    roles = ma.fields.List(ma.fields.String(), required=True)
    expires_at = ma.fields.DateTime(required=True)
    mailed = ma.fields.Boolean(required=True, metadata={"description": "whether the link was e-mailed"})


class MyInvitationSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    organisation_id = ma.fields.UUID(required=True)
    organisation = ma.fields.String(required=True)
    roles = ma.fields.List(ma.fields.String(), required=True)
    expires_at = ma.fields.DateTime(required=True)


class RoleRemoveQuerySchema(Input):
    organisation_id = ma.fields.UUID(required=False)


class UserAuditSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    at = ma.fields.DateTime(required=True)
    actor = ma.fields.String(required=True, metadata={"description": "user:<uuid> or installation"})
    action = ma.fields.String(
        required=True,
        metadata={
            "description": "invitation.created, invitation.accepted, invitation.withdrawn, user.created, role.granted, "
            "role.removed, letterhead.changed, user.deactivated or user.activated"
        },
    )
    organisation_id = ma.fields.UUID(allow_none=True)
    user_id = ma.fields.UUID(allow_none=True)
    invitation_id = ma.fields.UUID(allow_none=True)
    role = ma.fields.String(allow_none=True)


class RoleGrantSchema(Input):
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))
    organisation_id = ma.fields.UUID(required=False)


class InvestigatorSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    display_name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    organisation_id = ma.fields.UUID(required=True)
