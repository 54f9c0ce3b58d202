# METADATA
# title: Agent permission changes are reviewed by the owner
# description: >-
#   A pull request that grants, removes or changes an agent's permissions
#   (or adds or removes an agent) is flagged for review by the agent's owner.
#   It does not block by itself; the other agent policies judge the result.
# custom:
#   id: AGENT-REVIEW-001
#   severity: warn
#   passed: No agent permission changes
package gitops.policies.agents_review_001

base_permissions[a.agent_id] := {p | some p in a.permissions} if {
	some a in input.base_agents
}

head_ids := {a.agent_id | some a in input.agents}

describe(s) := "none" if count(s) == 0

describe(s) := concat(", ", sort(s)) if count(s) > 0

owner(agent) := object.get(agent, "owner", "the registry owners")

warn contains {"msg": msg, "path": ["agents", i, "permissions"]} if {
	some i, agent in input.agents
	old := base_permissions[agent.agent_id]
	new := {p | some p in agent.permissions}
	old != new
	msg := sprintf("permissions of agent %v changed (added: %v; removed: %v): needs review by %v", [agent.agent_id, describe(new - old), describe(old - new), owner(agent)])
}

warn contains {"msg": msg, "path": ["agents", i]} if {
	input.base_agents
	some i, agent in input.agents
	not base_permissions[agent.agent_id]
	msg := sprintf("new agent %v with permissions %v: needs review by %v", [agent.agent_id, describe({p | some p in agent.permissions}), owner(agent)])
}

warn contains {"msg": msg, "path": ["agents"]} if {
	some a in input.base_agents
	not a.agent_id in head_ids
	msg := sprintf("agent %v removed: needs review by %v", [a.agent_id, owner(a)])
}
