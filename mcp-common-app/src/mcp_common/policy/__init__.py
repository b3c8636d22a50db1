"""Authorization: the Authorizer contract, embedded Rego and remote OPA engines, decision cache."""

from mcp_common.policy._authorizer import (
    Action,
    AuthorizationRequest,
    Authorizer,
    CachingAuthorizer,
    Decision,
    PolicyFacts,
)
from mcp_common.policy._opa import OPAAuthorizer
from mcp_common.policy._rego import RegoAuthorizer

__all__ = [
    "Action",
    "AuthorizationRequest",
    "Authorizer",
    "CachingAuthorizer",
    "Decision",
    "OPAAuthorizer",
    "PolicyFacts",
    "RegoAuthorizer",
]
