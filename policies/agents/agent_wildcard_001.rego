# METADATA
# title: No wildcard agent permissions
# description: >-
#   An agent holds named permissions only (read:metrics, execute:recovery).
#   A wildcard (`*`, `execute:*`, `*:metrics`) grants whatever is added later,
#   which no owner reviewed: it is denied at the permission's line.
# custom:
#   id: AGENT-WILDCARD-001
#   severity: deny
#   passed: No wildcard permissions
package gitops.policies.agents_wildcard_001

deny contains {"msg": msg, "path": ["agents", i, "permissions", j]} if {
	some i, agent in input.agents
	some j, perm in agent.permissions
	contains(perm, "*")
	msg := sprintf("agent %v holds the wildcard permission '%v': grant the specific permissions it needs instead", [agent.agent_id, perm])
}
