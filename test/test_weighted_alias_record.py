import re

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2, aws_elasticloadbalancingv2 as elbv2, aws_route53 as route53
from aws_cdk import aws_cloudfront as cloudfront

from harness import (
    ALB_ZONE, alb, imported_alb, new_stack, only_resource, public_vpc, records_by_identifier, synth, warnings_of, zone,
)
from safe_constructs import AliasRecordType, WeightedAliasRecord, WeightedAliasTarget


def record(stack, record_id="Blue", **overrides):
    props = {"zone": overrides.pop("zone", None) or zone(stack), "record_name": "pay.example.com",
             "target": WeightedAliasTarget.from_attributes("old-123.eu-west-1.elb.amazonaws.com", ALB_ZONE),
             "weight": 90, "set_identifier": "blue"}
    props.update(overrides)
    return WeightedAliasRecord(stack, record_id, **props)


def test_alias_to_an_application_load_balancer():
    # GIVEN
    stack = new_stack()
    lb = alb(stack)
    # WHEN
    blue = record(stack, target=WeightedAliasTarget.from_load_balancer(lb))
    # THEN
    props = only_resource(synth(stack), "AWS::Route53::RecordSet")["Properties"]
    lb_id = stack.get_logical_id(lb.node.default_child)
    assert props == {
        "HostedZoneId": "Z0123456789ABC", "Name": "pay.example.com.", "Type": "A",
        "Weight": 90, "SetIdentifier": "blue",
        "AliasTarget": {
            "DNSName": {"Fn::Join": ["", ["dualstack.", {"Fn::GetAtt": [lb_id, "DNSName"]}]]},
            "HostedZoneId": {"Fn::GetAtt": [lb_id, "CanonicalHostedZoneID"]},
            "EvaluateTargetHealth": True,
        },
    }
    assert blue.domain_name == "pay.example.com."
    assert blue.record.set_identifier == "blue"


def test_alias_to_a_network_load_balancer_as_aaaa():
    stack = new_stack()
    nlb = elbv2.NetworkLoadBalancer(stack, "Nlb", vpc=public_vpc(stack), internet_facing=True)
    record(stack, target=WeightedAliasTarget.from_load_balancer(nlb), record_type=AliasRecordType.AAAA)
    props = only_resource(synth(stack), "AWS::Route53::RecordSet")["Properties"]
    assert props["Type"] == "AAAA"
    assert props["AliasTarget"]["HostedZoneId"] == {"Fn::GetAtt": [stack.get_logical_id(nlb.node.default_child),
                                                                   "CanonicalHostedZoneID"]}
    assert "TTL" not in props


def test_alias_to_an_imported_load_balancer():
    stack = new_stack()
    record(stack, target=WeightedAliasTarget.from_load_balancer(imported_alb(stack)), evaluate_target_health=False)
    props = only_resource(synth(stack), "AWS::Route53::RecordSet")["Properties"]
    assert props["AliasTarget"] == {"DNSName": "dualstack.old-123.eu-west-1.elb.amazonaws.com",
                                    "HostedZoneId": ALB_ZONE, "EvaluateTargetHealth": False}


def test_two_records_make_a_group_and_a_and_aaaa_are_separate_groups():
    stack = new_stack()
    z = zone(stack)
    record(stack, "Blue", zone=z)
    record(stack, "Green", zone=z, set_identifier="green", weight=10)
    record(stack, "Blue6", zone=z, record_type=AliasRecordType.AAAA)  # "blue" again, other type
    template = synth(stack)
    assert len(template.find_resources("AWS::Route53::RecordSet")) == 3


def test_names_relative_absolute_and_in_a_zone_created_in_the_stack():
    stack = new_stack()
    created = route53.PublicHostedZone(stack, "Created", zone_name="example.com")
    assert record(stack, "A", zone=created, record_name="pay").domain_name == "pay.example.com."
    assert record(stack, "B", zone=created, record_name="api.pay.example.com.", set_identifier="b").domain_name \
        == "api.pay.example.com."
    assert record(stack, "C", zone=created, record_name="example.com", set_identifier="c").domain_name == "example.com."
    synth(stack)


def test_cloudfront_target_does_not_evaluate_health():
    stack = new_stack()
    distribution = cloudfront.Distribution.from_distribution_attributes(stack, "Cdn",
        domain_name="d111111abcdef8.cloudfront.net", distribution_id="E1ABCDEFGHIJKL")
    record(stack, target=WeightedAliasTarget.from_cloud_front_distribution(distribution))
    props = only_resource(synth(stack), "AWS::Route53::RecordSet")["Properties"]
    assert props["AliasTarget"] == {"DNSName": "d111111abcdef8.cloudfront.net", "HostedZoneId": "Z2FDTNDATAQYW2",
                                    "EvaluateTargetHealth": False}


def test_all_weights_zero_is_a_warning():
    stack = new_stack()
    z = zone(stack)
    record(stack, "Blue", zone=z, weight=0)
    record(stack, "Green", zone=z, weight=0, set_identifier="green")
    synth(stack)
    assert any("allWeightsZero" in w and "undocumented" in w and "at least one record a weight above 0" in w
               for w in warnings_of(stack))


def test_one_weight_above_zero_is_no_warning():
    stack = new_stack()
    z = zone(stack)
    record(stack, "Blue", zone=z, weight=0)
    record(stack, "Green", zone=z, weight=1, set_identifier="green")
    synth(stack)
    assert not [w for w in warnings_of(stack) if "allWeightsZero" in w]


def test_fails_without_weight():
    stack = new_stack()
    with pytest.raises(TypeError, match="weight"):
        WeightedAliasRecord(stack, "Blue", zone=zone(stack), record_name="pay", set_identifier="blue",
            target=WeightedAliasTarget.from_attributes("x.example.net", ALB_ZONE))


@pytest.mark.parametrize("weight", [256, -1, 1.5])
def test_fails_with_a_weight_route53_rejects(weight):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
        rf"\[safe-constructs:WeightOutOfRange\] Test/Blue: weight must be a whole number from 0 to 255, got: {weight}; "
        r"fix: give a whole number from 0 to 255")):
        record(stack, weight=weight)


def test_fails_a_boolean_weight_in_jsii_before_the_library_naming_the_key_in_camel_case():
    # Python's generated check (typeguard) takes True for a number (bool is an int); jsii refuses it
    # before the constructor runs, with a tree that names the key by its jsii name
    stack = new_stack()
    with pytest.raises(RuntimeError) as raised:
        record(stack, weight=True)
    message = str(raised.value)
    assert message.startswith("Passed to parameter props of new safe-constructs.WeightedAliasRecord: "
                              "Unable to deserialize value as safe-constructs.WeightedAliasRecordProps")
    assert "Key 'weight': Unable to deserialize value as number" in message
    assert "Failing value is a boolean" in message


@pytest.mark.parametrize("props, argument, expected", [
    ({"weight": "50"}, "weight", "one of (int, float); got str"),
    ({"target": "old-123.eu-west-1.elb.amazonaws.com"}, "target", "safe_constructs.WeightedAliasTarget; got str"),
])
def test_fails_a_value_of_the_wrong_type_in_python_naming_the_argument(props, argument, expected):
    # Python's generated check answers first, where it checks the type: a TypeError in Python's spelling
    stack = new_stack()
    with pytest.raises(TypeError, match=rf"^type of argument {argument} must be {re.escape(expected)} instead$"):
        record(stack, **props)


def test_a_token_jsii_lets_through_leaves_a_warning_naming_what_is_unchecked():
    stack = new_stack()
    weight = cdk.CfnParameter(stack, "Weight", type="Number", min_value=0, max_value=255).value_as_number
    identifier = cdk.CfnParameter(stack, "Identifier").value_as_string
    hosted = zone(stack)
    record(stack, zone=hosted, weight=weight, set_identifier=identifier)
    record(stack, "Green", zone=hosted, set_identifier="green")
    synth(stack)
    [warning] = [w for w in warnings_of(stack) if "weightedGroupUnchecked" in w]
    assert warning.startswith("weight, set_identifier (setIdentifier) are unresolved tokens (a parameter, or an attribute "
                              "known at deploy), so this record is left out of the checks of its group at synth time")
    assert "check them by hand, or give literal values" in warning


def test_a_constructor_error_reaches_python_as_its_message_with_no_frame_of_the_library_or_jsii():
    # Python prints the JavaScript stack above its own traceback: it holds the message alone, no frame of the
    # library, aws-cdk-lib or jsii's runtime (none of them is the user's code)
    stack = new_stack()
    with pytest.raises(RuntimeError) as raised:
        WeightedAliasRecord(stack, "Blue", zone=zone(stack), record_name="pay", set_identifier="blue", weight=300,
                            target=WeightedAliasTarget.from_attributes("x.example.net", ALB_ZONE))
    assert str(raised.value).startswith("[safe-constructs:WeightOutOfRange] Test/Blue: weight must be")
    assert raised.value.__cause__.stack == f"Error: {raised.value}"


@pytest.mark.parametrize("identifier", ["", "x" * 129])
def test_fails_with_a_set_identifier_route53_rejects(identifier):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:SetIdentifierLength\] .*" r"set_identifier \(setIdentifier\) must be 1 to 128 characters, got: "):
        record(stack, set_identifier=identifier)


def test_fails_with_a_name_outside_the_zone():
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:RecordNameOutsideZone\] .*" r"record_name \(recordName\) is outside the zone example.com., got: \"pay.other.com.\"; "
        r"fix: use a name that ends with example.com.")):
        record(stack, record_name="pay.other.com.")


@pytest.mark.parametrize("name", ["pay..example.com", "bad name", "", "pay.*.example.com"])
def test_fails_with_a_name_that_is_not_dns(name):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=r"\[safe-constructs:RecordNameInvalid\] .*" r"record_name \(recordName\) is not a DNS name, got: "):
        record(stack, record_name=name)


def test_fails_with_a_relative_name_in_a_zone_imported_by_id():
    stack = new_stack()
    by_id = route53.HostedZone.from_hosted_zone_id(stack, "ById", "Z0123456789ABC")
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:RecordNameRelative\] .*" r"record_name \(recordName\) is relative, got: \"pay\", but the zone's name is not known")):
        record(stack, zone=by_id, record_name="pay")


def test_fails_with_an_imported_load_balancer_without_dns_name():
    stack = new_stack()
    bare = elbv2.ApplicationLoadBalancer.from_application_load_balancer_attributes(stack, "Bare",
        load_balancer_arn="arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/bare/abc",
        security_group_id="sg-12345678")
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:LoadBalancerWithoutDnsName\] Test/Bare: the target load balancer has no DNS name or "
        r"canonical hosted zone id .*fix: import it with load_balancer_dns_name \(loadBalancerDnsName\)")):
        WeightedAliasTarget.from_load_balancer(bare)


def test_fails_with_cloudfront_and_health_evaluation():
    stack = new_stack()
    distribution = cloudfront.Distribution.from_distribution_attributes(stack, "Cdn",
        domain_name="d111111abcdef8.cloudfront.net", distribution_id="E1ABCDEFGHIJKL")
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:HealthOfDistribution\] .*" r"evaluate_target_health \(evaluateTargetHealth\) is true for a CloudFront distribution")):
        record(stack, target=WeightedAliasTarget.from_cloud_front_distribution(distribution),
               evaluate_target_health=True)


def test_fails_with_an_empty_target_attribute():
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:AliasTargetEmpty\] WeightedAliasTarget.from_attributes: dns_name \(dnsName\) must not be "
        r"empty, got: \"\"; fix: give the alias target's dns_name \(dnsName\)")):
        WeightedAliasTarget.from_attributes("", ALB_ZONE)


def test_fails_with_duplicate_set_identifiers_in_a_group():
    stack = new_stack()
    z = zone(stack)
    record(stack, "Blue", zone=z)
    record(stack, "Green", zone=z, weight=10, record_name="pay")  # same name, written relative
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:SetIdentifierDuplicate\] set_identifier \(setIdentifier\) \"blue\" is used by 2 records of "
        r"pay.example.com. \(A\) \(Test/Blue/Resource, Test/Green/Resource\), and set identifiers must be unique")):
        synth(stack)


def test_fails_with_duplicate_set_identifiers_across_stacks_of_an_imported_zone():
    app = cdk.App()
    first, second = new_stack(app=app, stack_id="First"), new_stack(app=app, stack_id="Second")
    record(first, "Blue")
    record(second, "Blue")
    with pytest.raises(RuntimeError, match=r"set_identifier \(setIdentifier\) \"blue\" is used by 2 records"):
        app.synth()


def test_fails_with_a_plain_record_of_the_same_name_and_type():
    # GIVEN a weighted record and a plain aws-cdk-lib record of the same name and type
    stack = new_stack()
    z = zone(stack)
    record(stack, "Blue", zone=z)
    route53.ARecord(stack, "Plain", zone=z, record_name="pay",
        target=route53.RecordTarget.from_ip_addresses("192.0.2.10"))
    # THEN
    with pytest.raises(RuntimeError, match=(
        r"\[safe-constructs:WeightedMixedWithPlain\] .*" r"weighted records of pay.example.com. \(A\) share their name and type with a non-weighted record "
        r"\(Test/Plain/Resource\), and Route 53 rejects the mix; fix: ")):
        synth(stack)


def test_a_plain_record_of_another_type_or_name_is_fine():
    stack = new_stack()
    z = zone(stack)
    record(stack, "Blue", zone=z)
    route53.AaaaRecord(stack, "Plain6", zone=z, record_name="pay",
        target=route53.RecordTarget.from_ip_addresses("2001:db8::1"))
    route53.ARecord(stack, "Other", zone=z, record_name="api",
        target=route53.RecordTarget.from_ip_addresses("192.0.2.10"))
    synth(stack)
