package ecssim

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// Cloud Assistant (RunCommand & co). An invocation on one instance is
// Pending for the first half of TransitionTime, Running for the second half,
// then Success or Failed with the CommandResult in force when it was created.

const isoSeconds = "2006-01-02T15:04:05Z"

type command struct {
	id, name, typ, content string // content is plain text
	timeout                int
	created                time.Time
}

type invocation struct {
	id        string
	cmd       *command
	created   time.Time
	visibleAt time.Time // DescribeInvocationResults shows it from then on
	results   []*invokeResult
}

// invokeResult is the invocation on one instance.
type invokeResult struct {
	instanceID string
	agentReady bool // the agent was online when the command was sent
	result     CommandResult
}

// SetCommandResult sets the output and exit code of later invocations.
func (s *Simulator) SetCommandResult(r CommandResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cmdResult = r
}

// resultState is the externally visible state of one invokeResult at now.
type resultState struct {
	invocationStatus, recordStatus string
	errorCode, errorInfo           string
	exitCode                       int64
	output                         string
	start, finish                  string
}

func (s *Simulator) resultAt(inv *invocation, r *invokeResult, now time.Time) resultState {
	if !r.agentReady {
		return resultState{invocationStatus: "Failed", recordStatus: "Failed", errorCode: "ClientNotRunning",
			errorInfo: "the aliyun service is not running on the instance", finish: inv.created.Format(isoSeconds)}
	}
	startAt := inv.created.Add(s.opts.TransitionTime / 2)
	finishAt := inv.created.Add(s.opts.TransitionTime)
	switch {
	case now.Before(startAt):
		return resultState{invocationStatus: "Pending", recordStatus: "Pending"}
	case now.Before(finishAt):
		return resultState{invocationStatus: "Running", recordStatus: "Running", start: startAt.Format(isoSeconds)}
	}
	out := r.result.Output
	if r.result.EchoScript {
		out = echoOutput(inv.cmd.content)
	}
	st := resultState{recordStatus: "Finished", exitCode: r.result.ExitCode, output: out,
		start: startAt.Format(isoSeconds), finish: finishAt.Format(isoSeconds), invocationStatus: "Success"}
	if r.result.ExitCode != 0 {
		st.invocationStatus, st.errorCode = "Failed", "ExitCodeNonzero"
		st.errorInfo = orDefault(r.result.ErrorInfo, "the command exited with a non-zero exit code")
	}
	return st
}

// echoOutput is what a script's top-level `echo` lines would print: the
// words after echo, with one level of quotes removed; lines redirected or
// piped elsewhere print nothing. Nothing is run.
func echoOutput(script string) string {
	var b strings.Builder
	for line := range strings.Lines(script) {
		line = strings.TrimSpace(line)
		if line == "echo" {
			b.WriteByte('\n')
			continue
		}
		rest, ok := strings.CutPrefix(line, "echo ")
		if !ok {
			continue
		}
		rest = strings.TrimSpace(rest)
		after := rest
		if q := rest[0]; q == '"' || q == '\'' {
			if end := strings.IndexByte(rest[1:], q); end >= 0 {
				rest, after = rest[1:1+end], rest[2+end:]
			}
		}
		if strings.ContainsAny(after, ">|") {
			continue
		}
		b.WriteString(rest)
		b.WriteByte('\n')
	}
	return b.String()
}

// overall aggregates per-instance statuses as DescribeInvocations does.
func overall(states []resultState) (invocationStatus, invokeStatus string) {
	counts := map[string]int{}
	for _, st := range states {
		counts[st.invocationStatus]++
	}
	switch {
	case counts["Pending"] == len(states):
		return "Pending", "Running"
	case counts["Pending"]+counts["Running"] > 0:
		return "Running", "Running"
	case counts["Success"] == len(states):
		return "Success", "Finished"
	case counts["Success"] == 0:
		return "Failed", "Failed"
	}
	return "PartialFailed", "PartialFinished"
}

// commandFromCall reads Type/CommandContent/ContentEncoding/Timeout/Name.
func commandFromCall(c *call, defaultEncoding string) (*command, error) {
	typ, err := c.required("Type")
	if err != nil {
		return nil, err
	}
	if typ != "RunShellScript" && typ != "RunBatScript" && typ != "RunPowerShellScript" {
		return nil, errInvalid("Type", typ)
	}
	content, err := c.required("CommandContent")
	if err != nil {
		return nil, err
	}
	switch enc := orDefault(c.str("ContentEncoding"), defaultEncoding); enc {
	case "PlainText":
	case "Base64":
		b, err := base64.StdEncoding.DecodeString(content)
		if err != nil {
			return nil, newErr(http.StatusBadRequest, "InvalidParameter.CommandContent",
				"The CommandContent is not valid Base64.")
		}
		content = string(b)
	default:
		return nil, errInvalid("ContentEncoding", enc)
	}
	timeout, err := c.integer("Timeout", 60)
	if err != nil {
		return nil, err
	}
	return &command{name: c.str("Name"), typ: typ, content: content, timeout: timeout, created: c.now}, nil
}

// invoke starts cmd on the InstanceId.N instances, which must be Running.
func (s *Simulator) invoke(c *call, cmd *command) (*invocation, error) {
	ids := c.list("InstanceId")
	if len(ids) == 0 {
		return nil, errMissing("InstanceId.N")
	}
	inv := &invocation{cmd: cmd, created: c.now, visibleAt: c.now.Add(s.visibility)}
	for _, id := range ids {
		in, err := s.lookup(id, c.now)
		if err != nil {
			return nil, err
		}
		if in.status != StatusRunning {
			return nil, newErr(http.StatusForbidden, "InvalidInstance.NotRunning",
				"The specified instance %s is not running (it is %s).", id, in.status)
		}
		inv.results = append(inv.results, &invokeResult{
			instanceID: id, agentReady: s.agentReady(in, c.now), result: s.cmdResult,
		})
	}
	inv.id = s.newID("t")
	s.invocations[inv.id] = inv
	s.invOrder = append(s.invOrder, inv.id)
	return inv, nil
}

func (s *Simulator) storeCommand(cmd *command) {
	cmd.id = s.newID("c")
	if cmd.name == "" {
		cmd.name = cmd.id
	}
	s.commands[cmd.id] = cmd
}

// RunCommand creates a command and runs it at once.
func actRunCommand(s *Simulator, c *call) (map[string]any, error) {
	cmd, err := commandFromCall(c, "PlainText")
	if err != nil {
		return nil, err
	}
	s.storeCommand(cmd)
	inv, err := s.invoke(c, cmd)
	if err != nil {
		delete(s.commands, cmd.id)
		return nil, err
	}
	return map[string]any{"CommandId": cmd.id, "InvokeId": inv.id}, nil
}

// CreateCommand stores a command (CommandContent is Base64 by default).
func actCreateCommand(s *Simulator, c *call) (map[string]any, error) {
	if _, err := c.required("Name"); err != nil {
		return nil, err
	}
	cmd, err := commandFromCall(c, "Base64")
	if err != nil {
		return nil, err
	}
	s.storeCommand(cmd)
	return map[string]any{"CommandId": cmd.id}, nil
}

// InvokeCommand runs a stored command.
func actInvokeCommand(s *Simulator, c *call) (map[string]any, error) {
	id, err := c.required("CommandId")
	if err != nil {
		return nil, err
	}
	cmd := s.commands[id]
	if cmd == nil {
		return nil, newErr(http.StatusNotFound, "InvalidCommandId.NotFound", "The specified command %s does not exist.", id)
	}
	inv, err := s.invoke(c, cmd)
	if err != nil {
		return nil, err
	}
	return map[string]any{"InvokeId": inv.id}, nil
}

func encodeOutput(out, enc string) string {
	if enc == "PlainText" {
		return out
	}
	return base64.StdEncoding.EncodeToString([]byte(out))
}

// DescribeInvocationResults: per-instance results, filtered by InvokeId,
// CommandId, InstanceId and InvokeRecordStatus.
func actDescribeInvocationResults(s *Simulator, c *call) (map[string]any, error) {
	enc := orDefault(c.str("ContentEncoding"), "Base64")
	var rows []any
	for _, invID := range s.invOrder {
		inv := s.invocations[invID]
		if v := c.str("InvokeId"); (v != "" && v != inv.id) || c.now.Before(inv.visibleAt) {
			continue
		}
		if v := c.str("CommandId"); v != "" && v != inv.cmd.id {
			continue
		}
		for _, r := range inv.results {
			if v := c.str("InstanceId"); v != "" && v != r.instanceID {
				continue
			}
			st := s.resultAt(inv, r, c.now)
			if v := c.str("InvokeRecordStatus"); v != "" && v != st.recordStatus {
				continue
			}
			rows = append(rows, map[string]any{
				"CommandId": inv.cmd.id, "InvokeId": inv.id, "InstanceId": r.instanceID,
				"InvocationStatus": st.invocationStatus, "InvokeRecordStatus": st.recordStatus,
				"ExitCode": st.exitCode, "Output": encodeOutput(st.output, enc),
				"ErrorCode": st.errorCode, "ErrorInfo": st.errorInfo,
				"StartTime": st.start, "FinishedTime": st.finish, "StopTime": "",
				"Dropped": 0, "Repeats": 1, "Username": "root",
			})
		}
	}
	lo, hi, page, err := c.page(len(rows), 10, 50)
	if err != nil {
		return nil, err
	}
	page["InvocationResults"] = map[string]any{"InvocationResult": append([]any{}, rows[lo:hi]...)}
	return map[string]any{"Invocation": page}, nil
}

// DescribeInvocations: one entry per invocation, newest first as ECS does.
func actDescribeInvocations(s *Simulator, c *call) (map[string]any, error) {
	enc := orDefault(c.str("ContentEncoding"), "Base64")
	withOutput, err := c.boolean("IncludeOutput")
	if err != nil {
		return nil, err
	}
	var rows []any
	for i := len(s.invOrder) - 1; i >= 0; i-- {
		inv := s.invocations[s.invOrder[i]]
		if v := c.str("InvokeId"); v != "" && v != inv.id {
			continue
		}
		if v := c.str("CommandId"); v != "" && v != inv.cmd.id {
			continue
		}
		var states []resultState
		var instances []any
		onInstance := c.str("InstanceId") == ""
		for _, r := range inv.results {
			st := s.resultAt(inv, r, c.now)
			states = append(states, st)
			onInstance = onInstance || r.instanceID == c.str("InstanceId")
			out := ""
			if withOutput {
				out = encodeOutput(st.output, enc)
			}
			instances = append(instances, map[string]any{
				"InstanceId": r.instanceID, "InvocationStatus": st.invocationStatus,
				"InstanceInvokeStatus": st.recordStatus, "ExitCode": st.exitCode, "Output": out,
				"ErrorCode": st.errorCode, "ErrorInfo": st.errorInfo, "StartTime": st.start,
				"FinishTime": st.finish, "CreationTime": inv.created.Format(isoSeconds),
				"Dropped": 0, "Repeats": 1,
			})
		}
		invStatus, invokeStatus := overall(states)
		if !onInstance || (c.str("InvokeStatus") != "" && c.str("InvokeStatus") != invokeStatus) {
			continue
		}
		rows = append(rows, map[string]any{
			"InvokeId": inv.id, "CommandId": inv.cmd.id, "CommandName": inv.cmd.name,
			"CommandType": inv.cmd.typ, "CommandContent": base64.StdEncoding.EncodeToString([]byte(inv.cmd.content)),
			"InvocationStatus": invStatus, "InvokeStatus": invokeStatus, "Timeout": inv.cmd.timeout,
			"CreationTime": inv.created.Format(isoSeconds), "RepeatMode": "Once", "Timed": false,
			"Username": "root", "InvokeInstances": map[string]any{"InvokeInstance": instances},
		})
	}
	lo, hi, resp, err := c.page(len(rows), 10, 50)
	if err != nil {
		return nil, err
	}
	resp["Invocations"] = map[string]any{"Invocation": append([]any{}, rows[lo:hi]...)}
	return resp, nil
}

// DescribeCloudAssistantStatus: CloudAssistantStatus is "true" once the
// agent is online (AgentReadyAfter after the instance reached Running).
func actDescribeCloudAssistantStatus(s *Simulator, c *call) (map[string]any, error) {
	ids := c.list("InstanceId")
	all := s.matching(&call{q: nil, now: c.now}, ids, len(ids) > 0)
	lo, hi, resp, err := c.page(len(all), 10, 50)
	if err != nil {
		return nil, err
	}
	list := []any{}
	for _, in := range all[lo:hi] {
		ready := s.agentReady(in, c.now)
		var count, active int64
		last := ""
		for _, invID := range s.invOrder {
			inv := s.invocations[invID]
			for _, r := range inv.results {
				if r.instanceID != in.id {
					continue
				}
				count++
				last = inv.created.Format(isoSeconds)
				if st := s.resultAt(inv, r, c.now).invocationStatus; st == "Pending" || st == "Running" {
					active++
				}
			}
		}
		hb := ""
		if ready {
			hb = c.now.Format(isoSeconds)
		}
		list = append(list, map[string]any{
			"InstanceId": in.id, "CloudAssistantStatus": boolString(ready), "CloudAssistantVersion": "2.2.3.857",
			"OSType": "Linux", "InvocationCount": count, "ActiveTaskCount": active,
			"LastInvokedTime": last, "LastHeartbeatTime": hb, "SupportSessionManager": ready,
		})
	}
	resp["InstanceCloudAssistantStatusSet"] = map[string]any{"InstanceCloudAssistantStatus": list}
	return resp, nil
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
