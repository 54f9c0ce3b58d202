# METADATA
# title: Listeners serve TLS 1.3 and redirect plain HTTP
# description: >-
#   What SEC-ENC-001 promises, checked on the resources the program builds:
#   every HTTPS listener uses a TLS 1.3 security policy, and every HTTP
#   listener only redirects to HTTPS.
# custom:
#   id: PLAN-TLS-001
#   severity: deny
#   passed: HTTPS listeners use a TLS 1.3 policy; HTTP only redirects
package gitops.plan.plan_tls_001

listeners contains r if {
	some r in input.resources
	r.type == "aws:lb/listener:Listener"
}

deny contains {"msg": msg, "resource": l.urn} if {
	some l in listeners
	l.inputs.protocol == "HTTPS"
	policy := object.get(l.inputs, "sslPolicy", "(AWS default)")
	not contains(policy, "TLS13")
	msg := sprintf("HTTPS listener %v uses security policy %v, which does not enable TLS 1.3", [l.name, policy])
}

deny contains {"msg": msg, "resource": l.urn} if {
	some l in listeners
	l.inputs.protocol == "HTTP"
	some a in l.inputs.defaultActions
	not redirects_to_https(a)
	msg := sprintf("HTTP listener %v on port %v serves traffic unencrypted (action %v): it may only redirect to HTTPS", [l.name, l.inputs.port, a.type])
}

redirects_to_https(a) if {
	a.type == "redirect"
	a.redirect.protocol == "HTTPS"
}
