// Package ecssim is an in-process simulator of Aliyun ECS that speaks the
// real RPC wire protocol (signature v3, ACS3-HMAC-SHA256), so the official
// SDK (github.com/alibabacloud-go/ecs-20140526/v4) can be pointed at it in
// tests and in `make run`. See docs/ecs-wire.md for the wire facts.
//
// # Use
//
//	srv, err := ecssim.Start("127.0.0.1:0", ecssim.Options{NoDelay: true})
//	defer srv.Close()
//	id, secret := srv.Credentials()
//	client, _ := ecs.NewClient(&openapi.Config{
//		AccessKeyId: &id, AccessKeySecret: &secret, RegionId: tea.String(srv.RegionID()),
//		Endpoint: tea.String(srv.Addr), Protocol: tea.String("http"), NoProxy: tea.String(srv.Addr),
//	})
//
// A *Simulator is also a plain http.Handler (httptest.NewServer(ecssim.New(opts))).
//
// # Behaviour
//
// Every call is authenticated like Aliyun does: an unknown AccessKey ID gives
// 404 InvalidAccessKeyId.NotFound, a wrong signature 403 SignatureDoesNotMatch,
// a reused x-acs-signature-nonce 400 SignatureNonceUsed. Calls are dispatched on
// x-acs-version (2014-05-26) and x-acs-action. Errors carry RequestId, HostId,
// Code, Message and Recommend; successes carry RequestId.
//
// Instances move through timed states, evaluated lazily against Options.Now:
// CreateInstance Pending->Stopped; RunInstances Pending->Starting->Running
// (public IP at once when InternetMaxBandwidthOut > 0); StartInstance
// Starting->Running; StopInstance Stopping->Stopped in its StoppedMode
// (StopCharging, the economical mode of a pay-as-you-go instance, releases the
// public IP, a new one comes with the next start, which is refused with
// OperationDenied.NoStock when its zone/type is sold out; KeepCharging keeps
// both; a subscription instance reports Not-applicable). Each arrow takes
// TransitionTime. A wrong state gives 403 IncorrectInstanceStatus, an unknown ID
// 404 InvalidInstanceId.NotFound, a sold-out zone/type 403 OperationDenied.NoStock.
//
// Creates are checked as the API reference says (network.go, disks.go,
// instances.go name each source): ImageId, SecurityGroupId and VSwitchId are
// required and must exist in Options.Network (default: VPC vpc-simulated with
// a vSwitch per zone, DefaultVSwitch, security group sg-simulated, and
// sg-simulated-other-vpc in another VPC), a vSwitch of another zone or a
// security group of another VPC is 400 InvalidParameter.Mismatch, the
// Password rule (8-30 characters, three classes, listed specials) gives
// InvalidPassword.Malformed, disk categories and sizes are checked, and
// RunInstances checks SpotDuration, SpotInterruptionBehavior, Amount and
// MinAmount; DryRun answers 400 DryRunOperation after every check and
// creates nothing. A spot reclaim follows SpotInterruptionBehavior. The VPC
// API (x-acs-version 2016-04-28) answers DescribeVSwitches; ECS answers
// DescribeSecurityGroups and DescribeImages.
// ClientToken makes CreateInstance, RunInstances, RunCommand, CreateCommand,
// InvokeCommand and DeleteInstances idempotent (same token, other parameters:
// 400 IdempotentParameterMismatch).
//
// Cloud Assistant: the agent is online AgentReadyAfter after Running. RunCommand
// on an instance that is not Running gives 403 InvalidInstance.NotRunning; sent
// while the agent is offline the invocation fails at once with ErrorCode
// ClientNotRunning, as on ECS. Otherwise it is Pending for TransitionTime/2,
// Running for TransitionTime/2, then Success (exit code 0) or Failed with the
// CommandResult set by SetCommandResult.
//
// # Minecraft servers
//
// With Options.Minecraft set, every instance with a public IP gets a fake
// Minecraft (Java edition) server listening on that IP and
// MinecraftOptions.Port (default 25565). It speaks the real status protocol:
// handshake (next state 1), status request -> status JSON (version, players
// with their sample, description {"text": MOTD with its § codes} and, when
// mods are set, Forge's forgeData {"channels":[],"mods":[{"modId","modmarker"}],
// "fmlNetworkVersion":2}), ping -> pong. It answers only while the instance is
// Running, the operator has it Up and, with WaitForDeploy, some Cloud
// Assistant invocation on the instance has finished with Success; otherwise
// it closes each connection without a word. It goes away with the IP
// (StopCharging, delete, Close): connections are then refused. An IP whose
// port is already taken (another simulator in the process) is skipped, so
// the IP an instance reports is always its server's. Fault "hang" accepts and
// never answers; "garbage" answers with a malformed packet.
//
// # Account money (BSS)
//
// The same endpoint serves the BSS OpenAPI (x-acs-version 2017-12-14, the SDK
// github.com/alibabacloud-go/bssopenapi-20171214/v6; production endpoint
// business.aliyuncs.com) with the same signature checks, faults, latency and
// OnCall hook, keyed by action name: QueryAccountBalance,
// QueryAccountTransactions and QueryAccountBill.
//
// The account starts with Options.InitialBalance (default 1000.00 CNY),
// recorded as an Income transaction "Recharge" at the simulator's start.
// Every instance is charged its hourly price (the DescribePrice one, taken
// when it starts running) for the time it is Running, settled as one Expense
// transaction per instance per ended clock hour (UTC), stamped at the hour's
// end and rounded to the cent. Settling is lazy, against Options.Now, like
// the instance states: a manual clock (portstest.ManualClock) advanced by an hour yields exactly one
// charge per running instance. Money is integer micro-CNY; amounts are
// written as BSS does ("12.34"). QueryAccountTransactions lists newest first,
// filters on CreateTimeStart/CreateTimeEnd (RFC 3339, inclusive), pages with
// PageNum/PageSize (capped at 300) and reports TotalCount. QueryAccountBill
// sums the charges of a BillingCycle ("YYYY-MM"), or with Granularity DAILY
// of a BillingDate ("YYYY-MM-DD"), as one item whose PaymentAmount is a JSON
// number; no item when nothing was spent.
//
// # Admin API
//
// Under /_sim/, without signature (a test and development tool; bind it to
// loopback). Bodies are JSON; field names as in the Go types.
//
//	GET    /_sim/info                    AccessKeyId, RegionId, Zones, timings (not the secret)
//	GET    /_sim/instances               [InstanceView]: InstanceId, Status, PublicIpAddress ("" if none),
//	                                     ZoneId, InstanceType, Tags {key: value}, AgentReady, StoppedMode,
//	                                     Disks [{DiskId, Type system|data, Category, Size}], ...
//	GET    /_sim/instances/{id}          InstanceView, 404 if unknown
//	POST   /_sim/instances/{id}/stop     stop now, behind the service's back (204)
//	DELETE /_sim/instances/{id}          release now, whatever the state (204)
//	POST   /_sim/instances/{id}/reclaim  reclaim a spot instance: a Recycling lock for ReclaimNotice, then released,
//	                                     or stopped in economical mode with SpotInterruptionBehavior Stop
//	                                     (204; 409 if not spot)
//	GET    /_sim/network                 Network: VSwitches [{VSwitchId, VpcId, ZoneId}],
//	                                     SecurityGroups [{SecurityGroupId, VpcId}], Images
//	POST   /_sim/visibility              {"Delay":"30s"}: instances and invocations made from now on stay
//	                                     out of DescribeInstances/DescribeInvocationResults for the delay,
//	                                     and a create retried with its ClientToken meanwhile answers
//	                                     400 LastTokenProcessing ("0s" turns it off) (204)
//	GET    /_sim/snapshots               every snapshot with its World, oldest first
//	POST   /_sim/snapshots/fail          {"Count": n}: the next n snapshots end failed (204)
//	POST   /_sim/snapshots/quota         {"Quota": n}: manual snapshots per disk (204)
//	GET    /_sim/invocations             Cloud Assistant invocations with their command text
//	POST   /_sim/faults                  {"Action":"RunInstances","Count":2,"Kind":"throttle"}
//	                                     Kind throttle: 400 Throttling.User; unavailable: 503
//	                                     ServiceUnavailable; error: {"Status","Code","Message"} as given.
//	                                     Action "*" matches every action.
//	DELETE /_sim/faults                  drop queued faults and injected latency
//	POST   /_sim/latency                 {"Action":"DescribeInstances","Latency":"500ms"} ("*" = all; "0s" removes)
//	POST   /_sim/stock                   {"ZoneId":"cn-hangzhou-h","InstanceType":"ecs.g6.large","Available":false}
//	POST   /_sim/price                   {"ZoneId":"","InstanceType":"ecs.g6.large","Price":0.85} (CNY/hour; "" = all zones)
//	POST   /_sim/command-result          {"Output":"done\n","ExitCode":0,"ErrorInfo":""} for later invocations
//	GET    /_sim/minecraft               [MinecraftView]: InstanceId, Address ("ip:port", "" without IP),
//	                                     Answering, and the MinecraftState fields below (409 when off)
//	POST   /_sim/minecraft               {"InstanceId":"i-...","Up":true,"MOTD":"§6Seatide","Version":"1.20.1",
//	                                     "Protocol":763,"MaxPlayers":20,"OnlinePlayers":0,
//	                                     "Players":[{"Name":"Steve","Id":"8667ba71-..."}],
//	                                     "Mods":[{"Id":"forge","Version":"47.2.0"}],"Fault":""}
//	                                     fields left out keep their value; InstanceId "" or absent: every
//	                                     instance and later ones; OnlinePlayers 0 = len(Players) (204;
//	                                     404 unknown instance; 400 bad body; 409 when off)
//	GET    /_sim/bss/balance             {"Available":"998.30","Currency":"CNY"}
//	POST   /_sim/bss/balance             {"Available":"12.34"}: sets the balance, recording the difference as an
//	                                     "Adjustment" transaction (bills leave adjustments out) (204)
//	GET    /_sim/bss/transactions        [{Time, Flow, Amount, Balance, Remarks}], oldest first
//	POST   /_sim/bss/transactions        {"Flow":"Income"|"Expense","Amount":"50.00","Remarks":"Recharge"} (204)
//
// Each has a Go method: Instances, Instance, StopBehindBack, DeleteBehindBack,
// ReclaimSpot, Invocations, ThrottleNext, FailNext, InjectFault, ClearFaults,
// SetLatency, SetStock, SetPrice, SetCommandResult, Minecraft, SetMinecraft,
// UpdateMinecraft, Balance, SetBalance, Transactions, AddTransaction,
// NetworkView, SetVisibility.
//
// # Adding an API
//
// Another product served on the same endpoint is a new file with a function
// returning a product (its version and action table), listed in
// Simulator.products, as bss.go does.
package ecssim
