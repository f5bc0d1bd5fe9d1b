package frontdoor

import (
	"fmt"
	"time"

	"github.com/seatidemc/seatide/domain"
)

// Languages the front door speaks to players.
const (
	English = "en"
	Chinese = "zh-CN"
)

// text is one message in every language; § codes colour the MOTD lines
// (the status list shows two lines of about 45 characters).
type text struct{ en, zh string }

var (
	motdAsleep   = text{"§6%s §7- §eAsleep§7: join to wake it (about %s)", "§6%s §7- §e休眠中§7：进入即可唤醒（约 %s）"}
	motdCost     = text{"§7%s an hour, %s left this month", "§7每小时 %s，本月预算剩余 %s"}
	motdCostFree = text{"§7%s an hour", "§7每小时 %s"}
	motdSpent    = text{"§cThis month's budget is used up", "§c本月预算已用完"}
	motdWaking   = text{"§6%s §7- §aWaking up§7: %s of about %s", "§6%s §7- §a正在唤醒§7：已 %s，约需 %s"}
	motdStep     = text{"§7step: %s", "§7步骤：%s"}
	motdLoading  = text{"§6%s §7- §aStarting§7: the game is loading", "§6%s §7- §a启动中§7：游戏正在加载"}
	motdStopping = text{"§6%s §7- §7Going to sleep", "§6%s §7- §7正在休眠"}
	motdUnknown  = text{"§6%s §7- §7State unknown, try again soon", "§6%s §7- §7状态未知，请稍后再试"}

	kickWaking   = text{"Waking up, rejoin in about %s.", "正在唤醒服务器，请约 %s 后重新加入。"}
	kickUnderWay = text{"The server is waking up already, rejoin in about %s.", "服务器正在唤醒中，请约 %s 后重新加入。"}
	kickLoading  = text{"The server is starting, rejoin in about %s.", "服务器正在启动，请约 %s 后重新加入。"}
	kickStopping = text{"The server is going to sleep; rejoin in a minute to wake it again.", "服务器正在休眠，请一分钟后重新加入以唤醒。"}
	kickUnbound  = text{"%s is not linked to a seatide account. Link your Minecraft name on the seatide site, then rejoin to wake the server.",
		"%s 未绑定 seatide 账号。请先在 seatide 网站绑定你的 Minecraft 名称，再重新加入以唤醒服务器。"}
	kickBadName = text{"That player name is not valid.", "玩家名称无效。"}
	kickBudget  = text{"This month's budget is used up: the server stays asleep.", "本月预算已用完，服务器保持休眠。"}
	kickDenied  = text{"Your seatide account may not start the server.", "你的 seatide 账号无权启动服务器。"}
	kickLimit   = text{"Too many wakes this hour; try again in %s.", "本小时唤醒次数过多，请 %s 后再试。"}
	kickFailed  = text{"The server could not be woken (%s); try again later.", "无法唤醒服务器（%s），请稍后再试。"}
	kickDown    = text{"seatide cannot see the server right now; try again later.", "seatide 暂时无法获取服务器状态，请稍后再试。"}
)

func (t text) in(lang string, args ...any) string {
	f := t.en
	if lang == Chinese {
		f = t.zh
	}
	return fmt.Sprintf(f, args...)
}

// about says a duration the way a player reads it: seconds under a
// minute, then whole minutes, rounded up.
func about(lang string, d time.Duration) string {
	if d < time.Minute {
		s := max(int(d.Round(time.Second)/time.Second), 1)
		switch {
		case lang == Chinese:
			return fmt.Sprintf("%d 秒", s)
		case s == 1:
			return "1 second"
		}
		return fmt.Sprintf("%d seconds", s)
	}
	m := int((d + time.Minute - 1) / time.Minute)
	switch {
	case lang == Chinese:
		return fmt.Sprintf("%d 分钟", m)
	case m == 1:
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

func money(m domain.Money, currency string) string { return m.String() + " " + currency }
