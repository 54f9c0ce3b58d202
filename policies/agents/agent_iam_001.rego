# METADATA
# title: Agent permissions map to IAM
# description: >-
#   Every permission an agent holds must have a row in
#   agents/iam-permissions.yaml (the permission's least-privilege IAM actions,
#   or an explicit statement that it needs none): otherwise the agent's IAM
#   role could not be derived from its permissions.
# custom:
#   id: AGENT-IAM-001
#   severity: deny
#   passed: Every agent permission maps to IAM
package gitops.policies.agents_iam_001

deny contains {"msg": msg, "path": ["agents", i, "permissions", j]} if {
	some i, agent in input.agents
	some j, perm in agent.permissions
	not contains(perm, "*")
	not perm in input.iam_permissions
	msg := sprintf("agent %v holds '%v', which has no row in agents/iam-permissions.yaml: add its IAM actions there", [agent.agent_id, perm])
}
