package webhook

import (
	"encoding/json"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// jsonBody is the json format's body, shaped as the Standard Webhooks
// specification suggests: type, timestamp, data.
type jsonBody struct {
	Type      domain.EventType `json:"type"`
	Timestamp string           `json:"timestamp"`
	Data      jsonData         `json:"data"`
}

type jsonData struct {
	ID       int64           `json:"id"`
	Actor    string          `json:"actor,omitempty"`
	Instance string          `json:"instance,omitempty"`
	Message  string          `json:"message"`
	Payload  json.RawMessage `json:"payload"`
}

type textContent struct {
	Content string `json:"content"`
}

// Body is the request body of e for ep; now is when it is sent (for the
// robots that sign inside the body).
func (s *Sender) Body(ep *Endpoint, e domain.Event, now time.Time) ([]byte, error) {
	msg := Message(e, s.lang)
	var v any
	switch ep.Format {
	case FormatJSON:
		payload := e.Payload
		if len(payload) == 0 {
			payload = json.RawMessage("{}")
		}
		v = jsonBody{Type: e.Type, Timestamp: e.Time.UTC().Format(time.RFC3339Nano),
			Data: jsonData{ID: e.ID, Actor: e.Actor, Instance: e.Instance, Message: msg, Payload: payload}}
	case FormatDiscord:
		// Execute Webhook: content is at most 2000 characters; no pings
		// from text that happens to contain @everyone.
		type mentions struct {
			Parse []string `json:"parse"`
		}
		v = struct {
			Content         string   `json:"content"`
			AllowedMentions mentions `json:"allowed_mentions"`
		}{clip(msg, 2000), mentions{Parse: []string{}}}
	case FormatDingTalk, FormatWeCom:
		// Both robots take {"msgtype":"text","text":{"content":...}}.
		v = struct {
			MsgType string      `json:"msgtype"`
			Text    textContent `json:"text"`
		}{"text", textContent{msg}}
	case FormatFeishu:
		type text struct {
			Text string `json:"text"`
		}
		b := struct {
			Timestamp string `json:"timestamp,omitempty"`
			Sign      string `json:"sign,omitempty"`
			MsgType   string `json:"msg_type"`
			Content   text   `json:"content"`
		}{MsgType: "text", Content: text{msg}}
		if ep.Secret != "" {
			b.Timestamp, b.Sign = feishuSign(ep.Secret, now)
		}
		v = b
	case FormatOneBot:
		// OneBot 11 send_group_msg; auto_escape sends the text as is, so
		// a player's name cannot smuggle CQ codes in.
		v = struct {
			GroupID    int64  `json:"group_id"`
			Message    string `json:"message"`
			AutoEscape bool   `json:"auto_escape"`
		}{ep.group, msg, true}
	}
	return json.Marshal(v)
}
