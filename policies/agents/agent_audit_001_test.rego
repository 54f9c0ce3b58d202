package gitops.policies.agents_audit_001_test

import data.gitops.policies.agents_audit_001 as policy

agents(perms) := {"agents": [{"agent_id": "a", "type": "t", "version": "1.0.0", "permissions": perms}]}

test_executing_agent_with_audit_logs_passes if {
	count(policy.deny) == 0 with input as agents(["execute:recovery", "write:audit_logs"])
}

test_reading_agent_needs_no_audit_logs if {
	count(policy.deny) == 0 with input as agents(["read:metrics", "write:health_status"])
}

test_execute_without_audit_logs_denied if {
	ds := policy.deny with input as agents(["read:metrics", "execute:scale_operations"])
	count(ds) == 1
	some d in ds
	d.path == ["agents", 0, "permissions"]
	contains(d.msg, "execute:scale_operations")
}

test_execute_wildcard_without_audit_logs_denied if {
	count(policy.deny) == 1 with input as agents(["execute:*"])
}

test_one_finding_per_agent if {
	count(policy.deny) == 1 with input as agents(["execute:recovery", "execute:provision"])
}
