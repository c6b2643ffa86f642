"""City resolution: member names -> GeoNames places, used by the pipeline and by `tcn resolve` alike."""
from warehouse.resolution.resolver import METHODS, REASONS, RESOLVER_CODE_VERSION, Decision, Policy, Resolver

__all__ = ["METHODS", "REASONS", "RESOLVER_CODE_VERSION", "Decision", "Policy", "Resolver"]
