# METADATA
# title: Least-privilege roles
# description: >-
#   IAM policies in the plan grant no wildcard actions, iam:PassRole only for
#   a named role to a named service (iam:PassedToService), and instance roles
#   hold nothing but AmazonSSMManagedInstanceCore; launch templates require
#   IMDSv2.
# custom:
#   id: PLAN-IAM-001
#   severity: deny
#   passed: Roles are least-privilege, instances use IMDSv2
package gitops.plan.plan_iam_001

ssm_core := "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"

by_type(t) := [r | some r in input.resources; r.type == t]

as_list(x) := x if is_array(x)

as_list(x) := [x] if not is_array(x)

statements contains {"s": s, "r": r} if {
	some r in by_type("aws:iam/rolePolicy:RolePolicy")
	some s in as_list(r.documents.policy.Statement)
}

instance_roles contains object.get(r.inputs, "name", r.name) if {
	some r in by_type("aws:iam/role:Role")
	some s in as_list(r.documents.assumeRolePolicy.Statement)
	"ec2.amazonaws.com" in as_list(s.Principal.Service)
}

deny contains {"msg": msg, "resource": x.r.urn} if {
	some x in statements
	x.s.Effect == "Allow"
	some action in as_list(x.s.Action)
	endswith(action, "*")
	msg := sprintf("%v grants the wildcard action %v", [x.r.name, action])
}

deny contains {"msg": msg, "resource": x.r.urn} if {
	some x in statements
	"iam:PassRole" in as_list(x.s.Action)
	not pass_role_scoped(x.s)
	msg := sprintf("%v grants iam:PassRole without a specific role and an iam:PassedToService condition", [x.r.name])
}

pass_role_scoped(s) if {
	every res in as_list(s.Resource) {
		not contains(res, "*")
	}
	s.Condition.StringEquals["iam:PassedToService"]
}

deny contains {"msg": msg, "resource": a.urn} if {
	some a in by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
	a.inputs.role in instance_roles
	a.inputs.policyArn != ssm_core
	msg := sprintf("instance role %v gets %v: instances hold AmazonSSMManagedInstanceCore only", [a.inputs.role, a.inputs.policyArn])
}

deny contains {"msg": msg, "resource": p.urn} if {
	some p in by_type("aws:iam/rolePolicy:RolePolicy")
	p.inputs.role in instance_roles
	msg := sprintf("instance role %v has an inline policy: instances hold AmazonSSMManagedInstanceCore only", [p.inputs.role])
}

deny contains {"msg": msg, "resource": t.urn} if {
	some t in by_type("aws:ec2/launchTemplate:LaunchTemplate")
	object.get(object.get(t.inputs, "metadataOptions", {}), "httpTokens", "optional") != "required"
	msg := sprintf("launch template %v allows IMDSv1: set metadataOptions.httpTokens to required", [t.name])
}
