"""dax scenario: the cluster sits in the private subnets, encrypted, with its TTLs and security group."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
NAME = f"{PREFIX}-dax"
dax, ec2, iam = client("dax"), client("ec2"), client("iam")

private = ec2.describe_subnets(Filters=[{"Name": "tag:Tier", "Values": ["private"]},
                                        {"Name": "tag:Environment", "Values": ["local"]}])["Subnets"]
group = dax.describe_subnet_groups(SubnetGroupNames=[NAME])["SubnetGroups"][0]
assert sorted(s["SubnetIdentifier"] for s in group["Subnets"]) == sorted(s["SubnetId"] for s in private), group

ttls = {p["ParameterName"]: p["ParameterValue"] for p in dax.describe_parameters(ParameterGroupName=NAME)["Parameters"]}
assert ttls == {"record-ttl-millis": "300000", "query-ttl-millis": "60000"}, ttls

cluster = dax.describe_clusters(ClusterNames=[NAME])["Clusters"][0]
assert cluster["Status"] == "available", cluster["Status"]
assert (cluster["NodeType"], cluster["TotalNodes"]) == ("dax.t3.small", 1), cluster
assert cluster["SubnetGroup"] == NAME and cluster["ParameterGroup"]["ParameterGroupName"] == NAME
assert cluster["SSEDescription"]["Status"] == "ENABLED"
assert cluster["ClusterEndpointEncryptionType"] == "TLS" and cluster["ClusterDiscoveryEndpoint"]["Port"] == 9111
assert cluster["IamRoleArn"] == iam.get_role(RoleName=NAME)["Role"]["Arn"]
# The role DAX assumes reaches the table it fronts, and nothing else of DynamoDB.
policy = iam.get_role_policy(RoleName=NAME, PolicyName="access")["PolicyDocument"]
table = f"arn:aws:dynamodb:eu-west-1:123456789012:table/{PREFIX}-todos"
resources = {r for s in policy["Statement"] for r in s["Resource"] if ":dynamodb:" in r}
assert resources and all(r.startswith(table) for r in resources), resources

sg = ec2.describe_security_groups(GroupIds=[g["SecurityGroupIdentifier"] for g in cluster["SecurityGroups"]])
app = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{PREFIX}-app"]}])["SecurityGroups"][0]
rules = [(p["FromPort"], [g["GroupId"] for g in p["UserIdGroupPairs"]], p["IpRanges"])
         for p in sg["SecurityGroups"][0]["IpPermissions"]]
assert rules == [(9111, [app["GroupId"]], [])], rules

tags = {t["Key"]: t["Value"] for t in dax.list_tags(ResourceName=cluster["ClusterArn"])["Tags"]}
assert tags["Layer"] == "data" and tags["Environment"] == "local", tags
print(f"dax: cluster {NAME} verified ({cluster['ClusterDiscoveryEndpoint']['Address']}:9111)")
