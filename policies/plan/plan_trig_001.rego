# METADATA
# title: Every self-healing trigger has its mechanism
# description: >-
#   Each self-healing trigger of the intent is implemented in the plan:
#   restart_instance by an autoscaling group with ELB health checks on a target
#   group; scale_out by an alarm on the trigger's condition whose action is a
#   scaling policy of the plan; restart_service by an alarm on the trigger's
#   condition, an EventBridge rule on that alarm and a Run Command target with
#   a role, running a document of the plan.
# custom:
#   id: PLAN-TRIG-001
#   severity: deny
#   passed: An alarm (or health check) with its action for every trigger
package gitops.plan.plan_trig_001

by_type(t) := [r | some r in input.resources; r.type == t]

alarms_for(t) := [a |
	some a in by_type("aws:cloudwatch/metricAlarm:MetricAlarm")
	tags := object.get(a.inputs, "tags", {})
	tags["gitops:trigger"] == t.action
	tags["gitops:condition"] == t.condition
]

policy_arns := {p.arn | some p in by_type("aws:autoscaling/policy:Policy")}

document_arns := {d.arn | some d in by_type("aws:ssm/document:Document")}

elb_replacement if {
	some g in by_type("aws:autoscaling/group:Group")
	g.inputs.healthCheckType == "ELB"
	count(object.get(g.inputs, "targetGroupArns", [])) > 0
}

scales_out(a) if {
	count(object.get(a.inputs, "alarmActions", [])) > 0
	every arn in a.inputs.alarmActions {
		arn in policy_arns
	}
}

runs_restart(a) if {
	some rule in by_type("aws:cloudwatch/eventRule:EventRule")
	a.arn in rule.documents.eventPattern.resources
	some target in by_type("aws:cloudwatch/eventTarget:EventTarget")
	target.inputs.rule == object.get(rule.inputs, "name", rule.name)
	target.inputs.arn in document_arns
	count(object.get(target.inputs, "runCommandTargets", [])) > 0
	object.get(target.inputs, "roleArn", "") != ""
}

deny contains {"msg": msg, "resource": input.stack} if {
	some t in input.triggers
	t.action == "restart_instance"
	not elb_replacement
	msg := sprintf("trigger \"%v\" → restart_instance: no autoscaling group replaces instances on failed ELB health checks", [t.condition])
}

deny contains {"msg": msg, "resource": input.stack} if {
	some t in input.triggers
	t.action != "restart_instance"
	count(alarms_for(t)) == 0
	msg := sprintf("trigger \"%v\" → %v: no CloudWatch alarm for it in the plan", [t.condition, t.action])
}

deny contains {"msg": msg, "resource": a.urn} if {
	some t in input.triggers
	t.action == "scale_out"
	some a in alarms_for(t)
	not scales_out(a)
	msg := sprintf("alarm %v (\"%v\") does not trigger a scaling policy of the stack", [a.name, t.condition])
}

deny contains {"msg": msg, "resource": a.urn} if {
	some t in input.triggers
	t.action == "restart_service"
	some a in alarms_for(t)
	not runs_restart(a)
	msg := sprintf("alarm %v (\"%v\") is not wired to a restart: needs an EventBridge rule on it and a Run Command target with a role", [a.name, t.condition])
}
