""" Contains all the data models used in inputs/outputs """

from .action import Action
from .allow_in import AllowIn
from .allow_out import AllowOut
from .amend_in import AmendIn
from .amended_out import AmendedOut
from .change_out import ChangeOut
from .commitment_out import CommitmentOut
from .consistency_out import ConsistencyOut
from .digest_salt_out import DigestSaltOut
from .entry_out import EntryOut
from .error_out import ErrorOut
from .event_out import EventOut
from .feed_out import FeedOut
from .feed_out_transfers import FeedOutTransfers
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
from .plan_out import PlanOut
from .policy_out import PolicyOut
from .problem_out import ProblemOut
from .public_names_out import PublicNamesOut
from .public_order_detail_out import PublicOrderDetailOut
from .public_order_out import PublicOrderOut
from .registered_out import RegisteredOut
from .resolver import Resolver
from .resolver_out import ResolverOut
from .rule_out import RuleOut
from .scope import Scope
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
    "ChangeOut",
    "CommitmentOut",
    "ConsistencyOut",
    "DigestSaltOut",
    "EntryOut",
    "ErrorOut",
    "EventOut",
    "FeedOut",
    "FeedOutTransfers",
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
    "PlanOut",
    "PolicyOut",
    "ProblemOut",
    "PublicNamesOut",
    "PublicOrderDetailOut",
    "PublicOrderOut",
    "RegisteredOut",
    "Resolver",
    "ResolverOut",
    "RuleOut",
    "Scope",
    "Status",
    "TargetIn",
    "TargetOut",
    "TargetsPageOut",
    "TreeHeadOut",
)
