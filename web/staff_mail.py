"""Mail to staff (not to citizens): the invitation link, sent through the installation's SMTP settings.

The protocol has no mailer of its own and must not import the notifications capability, so the
composition layer sends it, after the invitation is committed. Without an SMTP host nothing is
sent: the operator then invites at the command line (`herstel user invite`), which prints the link.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from installation import Settings
from protocol.services import IssuedInvitation

log = logging.getLogger(__name__)

BODY = """\
U bent uitgenodigd voor Herstel, met de rol(len) {rollen}.
Open deze link binnen 7 dagen en kies een wachtwoord (of bevestig uw bestaande wachtwoord):

{link}

De link werkt één keer. Verwachtte u deze uitnodiging niet? Dan kunt u dit bericht negeren.

---

You have been invited to Herstel, with the role(s) {roles}.
Open this link within 7 days and choose a password (or confirm your existing one):

{link}

The link works once. If you did not expect this invitation, you can ignore this message.
"""


# the roles in words, in both languages of the mail (never the stored keys)
ROLE_NAMES = {
    "officer": ("incidentbehandelaar", "incident officer"),
    "coordinator": ("coördinator", "coordinator"),
    "investigator": ("onderzoeker", "investigator"),
    "oversight": ("toezichthouder", "oversight body"),
    "admin": ("beheerder", "administrator"),
}


def send_invitation(settings: Settings, invitation: IssuedInvitation) -> bool:
    """Mail the invitee their link; False when no SMTP host is set or the server would not take it."""
    if not settings.smtp_host:
        return False
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = invitation.email
    message["Subject"] = "Uitnodiging voor Herstel / Invitation to Herstel"
    message["Message-ID"] = make_msgid(domain="herstel.invalid")
    names = [ROLE_NAMES.get(role, (role, role)) for role in invitation.roles]
    message.set_content(
        BODY.format(
            rollen=", ".join(dutch for dutch, _ in names),
            roles=", ".join(english for _, english in names),
            link=invitation.link(settings.base_url),
        )
    )
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException, UnicodeError) as error:
        # the address stays out of the log; the invitation id is enough to find it
        log.warning("invitation %s not mailed: %s", invitation.id, type(error).__name__)
        return False
    return True
