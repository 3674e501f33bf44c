"""The acting user's role, read from the database, for rules a form cannot forge.

The views' ``roles_required`` guards whole pages; some rules apply to one part of a
page everyone may use (a clinical flag on the patient form, an early date on the
booking form), so the service checks the role itself, whatever was posted.
"""

from collections.abc import Mapping

from sqlmodel import Session

from planner.errors import Forbidden
from planner.models import Role
from planner.models import User
from planner.services.audit import Actor

# Who may change what the chair's checks read from the patient record.
CLINICAL_EDITORS = frozenset({Role.INJECTOR, Role.ADMIN})


def actor_role(session: Session, actor: Actor) -> Role | None:
    """Return the role of the active user acting, or None for anyone else."""
    if actor.user_id is None:
        return None
    user = session.get(User, actor.user_id)
    if user is None or not user.active:
        return None
    return user.role


def require_role(
    session: Session,
    actor: Actor,
    roles: frozenset[Role],
    message: str,
    fields: Mapping[str, str] | None = None,
) -> None:
    """Refuse with ``message`` unless the actor holds one of ``roles``."""
    if actor_role(session, actor) not in roles:
        raise Forbidden(message, fields=dict(fields or {}))
