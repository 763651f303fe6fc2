""" Contains all the data models used in inputs/outputs """

from .action import Action
from .allow_in import AllowIn
from .allow_out import AllowOut
from .amend_in import AmendIn
from .amended_out import AmendedOut
from .attach_kind import AttachKind
from .attachment_in import AttachmentIn
from .attachment_out import AttachmentOut
from .challenge_out import ChallengeOut
from .change_out import ChangeOut
from .commitment_out import CommitmentOut
from .consistency_out import ConsistencyOut
from .contest_in import ContestIn
from .counts_out import CountsOut
from .counts_out_outcomes import CountsOutOutcomes
from .counts_out_per_order import CountsOutPerOrder
from .counts_out_per_order_additional_property import CountsOutPerOrderAdditionalProperty
from .decided_out import DecidedOut
from .decision_in import DecisionIn
from .digest_salt_out import DigestSaltOut
from .document_out import DocumentOut
from .documents_out import DocumentsOut
from .entry_out import EntryOut
from .error_out import ErrorOut
from .event_out import EventOut
from .evidence_out import EvidenceOut
from .feed_out import FeedOut
from .feed_out_transfers import FeedOutTransfers
from .follow_out import FollowOut
from .format_ import Format
from .given_up_out import GivenUpOut
from .heads_out import HeadsOut
from .health_out import HealthOut
from .health_out_status import HealthOutStatus
from .inclusion_out import InclusionOut
from .key_out import KeyOut
from .last_transfer_out import LastTransferOut
from .leaf_out import LeafOut
from .leaves_out import LeavesOut
from .lift_in import LiftIn
from .lifted_out import LiftedOut
from .log_key_out import LogKeyOut
from .log_key_span_out import LogKeySpanOut
from .moment_out import MomentOut
from .notice_order_out import NoticeOrderOut
from .notice_out import NoticeOut
from .notify_out import NotifyOut
from .operator_added_out import OperatorAddedOut
from .operator_detail_out import OperatorDetailOut
from .operator_in import OperatorIn
from .operator_out import OperatorOut
from .order_detail_out import OrderDetailOut
from .order_in import OrderIn
from .order_out import OrderOut
from .order_ref_out import OrderRefOut
from .outcome import Outcome
from .plan_out import PlanOut
from .policy_out import PolicyOut
from .problem_out import ProblemOut
from .proof_in import ProofIn
from .public_document_out import PublicDocumentOut
from .public_names_out import PublicNamesOut
from .public_order_detail_out import PublicOrderDetailOut
from .public_order_out import PublicOrderOut
from .receipt_out import ReceiptOut
from .registered_out import RegisteredOut
from .resolver import Resolver
from .resolver_out import ResolverOut
from .review_out import ReviewOut
from .rule_out import RuleOut
from .scope import Scope
from .standing import Standing
from .status import Status
from .target_in import TargetIn
from .target_out import TargetOut
from .targets_page_out import TargetsPageOut
from .tree_head_out import TreeHeadOut

__all__ = (
    "Action",
    "AllowIn",
    "AllowOut",
    "AmendedOut",
    "AmendIn",
    "AttachKind",
    "AttachmentIn",
    "AttachmentOut",
    "ChallengeOut",
    "ChangeOut",
    "CommitmentOut",
    "ConsistencyOut",
    "ContestIn",
    "CountsOut",
    "CountsOutOutcomes",
    "CountsOutPerOrder",
    "CountsOutPerOrderAdditionalProperty",
    "DecidedOut",
    "DecisionIn",
    "DigestSaltOut",
    "DocumentOut",
    "DocumentsOut",
    "EntryOut",
    "ErrorOut",
    "EventOut",
    "EvidenceOut",
    "FeedOut",
    "FeedOutTransfers",
    "FollowOut",
    "Format",
    "GivenUpOut",
    "HeadsOut",
    "HealthOut",
    "HealthOutStatus",
    "InclusionOut",
    "KeyOut",
    "LastTransferOut",
    "LeafOut",
    "LeavesOut",
    "LiftedOut",
    "LiftIn",
    "LogKeyOut",
    "LogKeySpanOut",
    "MomentOut",
    "NoticeOrderOut",
    "NoticeOut",
    "NotifyOut",
    "OperatorAddedOut",
    "OperatorDetailOut",
    "OperatorIn",
    "OperatorOut",
    "OrderDetailOut",
    "OrderIn",
    "OrderOut",
    "OrderRefOut",
    "Outcome",
    "PlanOut",
    "PolicyOut",
    "ProblemOut",
    "ProofIn",
    "PublicDocumentOut",
    "PublicNamesOut",
    "PublicOrderDetailOut",
    "PublicOrderOut",
    "ReceiptOut",
    "RegisteredOut",
    "Resolver",
    "ResolverOut",
    "ReviewOut",
    "RuleOut",
    "Scope",
    "Standing",
    "Status",
    "TargetIn",
    "TargetOut",
    "TargetsPageOut",
    "TreeHeadOut",
)
