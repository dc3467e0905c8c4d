"""Every model, imported once so the metadata is complete (Alembic, tests)."""
from sep_portal.abuse.models import (  # noqa: F401
    AbuseCase,
    AbuseCategory,
    AbuseReport,
    CaseNote,
    ReactivationRequest,
    ReplyFile,
    ReportEvidence,
    Strike,
    WarningLetter,
)
from sep_portal.accounts.models import User, UserRole  # noqa: F401
from sep_portal.api.models import ServiceAccount, WebhookEndpoint  # noqa: F401
from sep_portal.applications.models import Application, ApplicationDocument, ApplicationEvent  # noqa: F401
from sep_portal.auth.models import AuthToken, LoginThrottle, RecoveryCode, UserSession  # noqa: F401
from sep_portal.bimtek.models import BimtekRegistration, BimtekSession  # noqa: F401
from sep_portal.core.audit import AuditEntry, AuditHead  # noqa: F401
from sep_portal.core.calendar import CalendarDay  # noqa: F401
from sep_portal.core.db import Base
from sep_portal.core.letters import Letter, LetterCounter  # noqa: F401
from sep_portal.core.notices import DigestEntry, NoticeSetting  # noqa: F401
from sep_portal.core.outbox import OutboxMessage  # noqa: F401
from sep_portal.core.storage import StoredFile  # noqa: F401
from sep_portal.helpdesk.models import HelpdeskService, SlaTarget, Ticket, TicketMessage  # noqa: F401
from sep_portal.knowledge.models import Article, ArticleCategory, ArticleVote, SopDocument, SopVersion  # noqa: F401
from sep_portal.tenants.models import (  # noqa: F401
    AccountImport,
    AccountImportProblem,
    AdminAssignment,
    Body,
    SekretarisHandover,
    TembusanCopy,
    TenantStatusChange,
)

metadata = Base.metadata
