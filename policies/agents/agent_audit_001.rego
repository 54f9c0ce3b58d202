# METADATA
# title: Executing agents write audit logs
# description: >-
#   An agent that can execute anything (execute:recovery,
#   execute:scale_operations, a wildcard) must also hold write:audit_logs,
#   so every action it takes leaves an audit record.
# custom:
#   id: AGENT-AUDIT-001
#   severity: deny
#   passed: Every executing agent writes audit logs
package gitops.policies.agents_audit_001

executes(perm) if startswith(perm, "execute:")

executes(perm) if perm == "*"

audits(agent) if "write:audit_logs" in agent.permissions

deny contains {"msg": msg, "path": ["agents", i, "permissions"]} if {
	some i, agent in input.agents
	execs := [p | some p in agent.permissions; executes(p)]
	count(execs) > 0
	not audits(agent)
	msg := sprintf("agent %v holds %v but not write:audit_logs: an agent that executes must write audit logs", [agent.agent_id, concat(", ", execs)])
}
