package webhook

import (
	"fmt"
	"strings"

	"github.com/seatidemc/seatide/domain"
)

// Languages of the chat messages (notify.language).
const (
	LangEN = "en"
	LangZH = "zh-CN"
)

// texts are the message templates of one language.
type texts struct {
	up, status, ip, opStarted, opStep, opOK, opFailed, deploy, joined, left,
	watchdog, idle, budgetStop, threshold, backupStarted, backupReady, backupFailed,
	reclaim, wake, unknown string
}

var catalog = map[string]texts{
	LangEN: {
		up:            "Server is up at %s",
		status:        "Server %s (was %s)",
		ip:            "Server address is now %s",
		opStarted:     "%s started by %s",
		opStep:        "%s: %s",
		opOK:          "%s finished",
		opFailed:      "%s failed at %s: %s",
		deploy:        "Deploy output #%d: %s",
		joined:        "%s joined (%d online)",
		left:          "%s left (%d online)",
		watchdog:      "Watchdog acted (%s): %s",
		idle:          "Server stopped: nobody played (%s)",
		budgetStop:    "Server stopped: the monthly budget is spent (%s)",
		threshold:     "Budget: %d%% used (%s of %s %s)",
		backupStarted: "Backup %s started",
		backupReady:   "Backup %s is ready",
		backupFailed:  "Backup %s failed: %s",
		reclaim:       "The cloud will reclaim the server%s",
		wake:          "%s asked to wake the server",
		unknown:       "Event %s",
	},
	LangZH: {
		up:            "服务器已启动：%s",
		status:        "服务器%s（之前%s）",
		ip:            "服务器地址变为 %s",
		opStarted:     "%s 已由 %s 发起",
		opStep:        "%s：%s",
		opOK:          "%s 已完成",
		opFailed:      "%s 在 %s 步骤失败：%s",
		deploy:        "部署输出 #%d：%s",
		joined:        "%s 加入了游戏（在线 %d 人）",
		left:          "%s 离开了游戏（在线 %d 人）",
		watchdog:      "看门狗已处理（%s）：%s",
		idle:          "无人游玩，服务器已停止（%s）",
		budgetStop:    "本月预算已用完，服务器已停止（%s）",
		threshold:     "预算已用 %d%%（%s / %s %s）",
		backupStarted: "备份 %s 已开始",
		backupReady:   "备份 %s 已完成",
		backupFailed:  "备份 %s 失败：%s",
		reclaim:       "云平台将回收服务器%s",
		wake:          "%s 请求唤醒服务器",
		unknown:       "事件 %s",
	},
}

// statusWords are instance statuses in words.
var statusWords = map[string]map[domain.InstanceStatus]string{
	LangEN: {domain.StatusPending: "is pending", domain.StatusStarting: "is starting", domain.StatusRunning: "is running",
		domain.StatusStopping: "is stopping", domain.StatusStopped: "is stopped", "": "is gone"},
	LangZH: {domain.StatusPending: "准备中", domain.StatusStarting: "启动中", domain.StatusRunning: "运行中",
		domain.StatusStopping: "停止中", domain.StatusStopped: "已停止", "": "已删除"},
}

// maxOutput bounds deploy output in a chat message; the full text is in the
// json format and the event stream.
const maxOutput = 300

// Message is the short, human text of e in lang (en or zh-CN), e.g. "Server
// is up at 1.2.3.4 (cn-hangzhou-k, 0.31 CNY/h)".
func Message(e domain.Event, lang string) string {
	t, ok := catalog[lang]
	if !ok {
		t, lang = catalog[LangEN], LangEN
	}
	d := e.Data()
	players := 0
	if d.Players != nil {
		players = *d.Players
	}
	switch e.Type {
	case domain.EventInstanceStatus:
		if d.Status == domain.StatusRunning && d.IP != "" {
			return fmt.Sprintf(t.up, d.IP) + where(d)
		}
		prev := status(lang, d.Previous)
		if lang == LangEN { // "was stopping", not "was is stopping"
			prev = strings.ToLower(orDash(string(d.Previous)))
		}
		return fmt.Sprintf(t.status, status(lang, d.Status), prev)
	case domain.EventInstanceIP:
		return fmt.Sprintf(t.ip, orDash(d.IP))
	case domain.EventOperationStarted:
		return fmt.Sprintf(t.opStarted, orDash(d.Action), orDash(e.Actor))
	case domain.EventOperationStep:
		return fmt.Sprintf(t.opStep, orDash(d.Action), orDash(d.Step))
	case domain.EventOperationSucceeded:
		return fmt.Sprintf(t.opOK, orDash(d.Action))
	case domain.EventOperationFailed:
		return fmt.Sprintf(t.opFailed, orDash(d.Action), orDash(d.Step), orDash(first(d.Reason, d.Code)))
	case domain.EventDeployOutput:
		return fmt.Sprintf(t.deploy, d.Seq, clip(strings.TrimSpace(d.Output), maxOutput))
	case domain.EventPlayerJoined:
		return fmt.Sprintf(t.joined, orDash(d.Player), players)
	case domain.EventPlayerLeft:
		return fmt.Sprintf(t.left, orDash(d.Player), players)
	case domain.EventWatchdogAction:
		return fmt.Sprintf(t.watchdog, orDash(d.Action), orDash(d.Reason))
	case domain.EventIdleAction:
		return fmt.Sprintf(t.idle, orDash(d.Reason))
	case domain.EventBudgetAction:
		return fmt.Sprintf(t.budgetStop, orDash(d.Reason))
	case domain.EventBudgetThreshold:
		return fmt.Sprintf(t.threshold, d.Percent, orDash(d.Spent), orDash(d.Budget), d.Currency)
	case domain.EventBackupStarted:
		return fmt.Sprintf(t.backupStarted, orDash(d.Backup))
	case domain.EventBackupReady:
		return fmt.Sprintf(t.backupReady, orDash(d.Backup))
	case domain.EventBackupFailed:
		return fmt.Sprintf(t.backupFailed, orDash(d.Backup), orDash(d.Reason))
	case domain.EventReclaimNotice:
		at := ""
		if d.At != nil {
			at = " (" + d.At.UTC().Format("15:04 UTC") + ")"
		}
		return fmt.Sprintf(t.reclaim, at)
	case domain.EventWakeRequested:
		return fmt.Sprintf(t.wake, orDash(first(d.Player, e.Actor)))
	}
	return fmt.Sprintf(t.unknown, e.Type)
}

// where is " (zone, price currency/h)", with what is known.
func where(d domain.EventData) string {
	var parts []string
	if d.Zone != "" {
		parts = append(parts, d.Zone)
	}
	if d.Price != "" {
		parts = append(parts, strings.TrimSpace(d.Price+" "+d.Currency)+"/h")
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func status(lang string, s domain.InstanceStatus) string {
	if w, ok := statusWords[lang][s]; ok {
		return w
	}
	return string(s)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
