# METADATA
# title: Regions within the allowed list
# description: >-
#   Every region an intent lists must be one the platform team operates in
#   (data residency, support coverage, negotiated prices). The list lives
#   here, with the policy, so changing it is a policy change that needs the
#   policy owners' review.
# custom:
#   id: ARCH-REGION-001
#   severity: deny
#   passed: Regions allowed
package gitops.policies.arch_region_001

allowed_regions := {"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"}

deny contains {"msg": msg, "path": ["intent", "constraints", "region", i]} if {
	some i, region in input.region.resolved
	not region in allowed_regions
	msg := sprintf("region %v (%v) is not in the allowed list: %v", [input.region.requested[i], region, sort([r | some r in allowed_regions])])
}
