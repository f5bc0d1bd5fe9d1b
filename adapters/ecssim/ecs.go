package ecssim

// ECSVersion is the x-acs-version of the ECS API.
const ECSVersion = "2014-05-26"

// ecsProduct is the ECS action table.
func ecsProduct(region string) product {
	return product{
		version: ECSVersion,
		name:    "Ecs",
		hostID:  "ecs." + region + ".aliyuncs.com",
		actions: map[string]actionFunc{
			"CreateInstance":               actCreateInstance,
			"RunInstances":                 actRunInstances,
			"StartInstance":                actStartInstance,
			"StopInstance":                 actStopInstance,
			"DeleteInstance":               actDeleteInstance,
			"DeleteInstances":              actDeleteInstances,
			"AllocatePublicIpAddress":      actAllocatePublicIP,
			"DescribeInstances":            actDescribeInstances,
			"DescribeInstanceStatus":       actDescribeInstanceStatus,
			"DescribeAvailableResource":    actDescribeAvailableResource,
			"DescribePrice":                actDescribePrice,
			"DescribeRegions":              actDescribeRegions,
			"TagResources":                 actTagResources,
			"ListTagResources":             actListTagResources,
			"RunCommand":                   actRunCommand,
			"CreateCommand":                actCreateCommand,
			"InvokeCommand":                actInvokeCommand,
			"DescribeInvocations":          actDescribeInvocations,
			"DescribeInvocationResults":    actDescribeInvocationResults,
			"DescribeCloudAssistantStatus": actDescribeCloudAssistantStatus,
			"DescribeDisks":                actDescribeDisks,
			"CreateSnapshot":               actCreateSnapshot,
			"DescribeSnapshots":            actDescribeSnapshots,
			"DeleteSnapshot":               actDeleteSnapshot,
			"DescribeSecurityGroups":       actDescribeSecurityGroups,
			"DescribeImages":               actDescribeImages,
		},
		idempotent: map[string]bool{
			"CreateInstance": true, "RunInstances": true, "RunCommand": true,
			"InvokeCommand": true, "DeleteInstances": true, "CreateCommand": true,
			"CreateSnapshot": true, // CreateSnapshot ClientToken (API reference)
		},
	}
}
