package ecssim_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	bss "github.com/alibabacloud-go/bssopenapi-20171214/v6/client"
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	ecs "github.com/alibabacloud-go/ecs-20140526/v4/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/seatidemc/seatide/adapters/ecssim"
)

func newBSSClient(t *testing.T, srv *httptest.Server, id, secret string) *bss.Client {
	t.Helper()
	endpoint := strings.TrimPrefix(srv.URL, "http://")
	c, err := bss.NewClient(&openapi.Config{
		AccessKeyId: tea.String(id), AccessKeySecret: tea.String(secret), RegionId: tea.String("cn-hangzhou"),
		Endpoint: tea.String(endpoint), Protocol: tea.String("http"), NoProxy: tea.String(endpoint),
		ReadTimeout: tea.Int(5000), ConnectTimeout: tea.Int(5000),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type txnRow struct{ flow, amount, remarks, time string }

func txnRows(t *testing.T, c *bss.Client, req *bss.QueryAccountTransactionsRequest) ([]txnRow, int) {
	t.Helper()
	resp, err := c.QueryAccountTransactions(req)
	if err != nil {
		t.Fatal(err)
	}
	var out []txnRow
	for _, x := range resp.Body.Data.AccountTransactionsList.AccountTransactionsList {
		out = append(out, txnRow{tea.StringValue(x.TransactionFlow), tea.StringValue(x.Amount),
			tea.StringValue(x.Remarks), tea.StringValue(x.TransactionTime)})
	}
	return out, int(tea.Int32Value(resp.Body.Data.TotalCount))
}

func bill(t *testing.T, c *bss.Client, cycle, date string) (float32, bool) {
	t.Helper()
	req := &bss.QueryAccountBillRequest{BillingCycle: tea.String(cycle)}
	if date != "" {
		req.Granularity, req.BillingDate = tea.String("DAILY"), tea.String(date)
	}
	resp, err := c.QueryAccountBill(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Body.Data.Items.Item) == 0 {
		return 0, false
	}
	return tea.Float32Value(resp.Body.Data.Items.Item[0].PaymentAmount), true
}

// TestBSSChargesRunningHours: a running instance is charged its hourly
// price per ended clock hour, pro rata, and the balance, the transaction
// list and the bills agree to the cent.
func TestBSSChargesRunningHours(t *testing.T) {
	f := newFixture(t, ecssim.Options{NoDelay: true, Prices: map[ecssim.Offer]float64{{InstanceType: "ecs.g6.large"}: 0.85}})
	id, secret := f.sim.Credentials()
	b := newBSSClient(t, f.srv, id, secret)
	balance := func() string {
		t.Helper()
		resp, err := b.QueryAccountBalance()
		if err != nil {
			t.Fatal(err)
		}
		return tea.StringValue(resp.Body.Data.AvailableCashAmount)
	}
	if got := balance(); got != "1000.00" {
		t.Fatalf("initial balance %q", got)
	}
	// 13:40: run one instance.
	run := must(f.client.RunInstances(&ecs.RunInstancesRequest{
		RegionId: tea.String("cn-hangzhou"), InstanceType: tea.String("ecs.g6.large"), ZoneId: tea.String("cn-hangzhou-h"),
		ImageId: simImage, SecurityGroupId: simSG, VSwitchId: simVSwitch("cn-hangzhou-h"),
	}))
	inst := tea.StringValue(run.Body.InstanceIdSets.InstanceIdSet[0])
	f.clock.Add(19 * time.Minute) // 13:59: the hour has not ended
	if got := balance(); got != "1000.00" {
		t.Fatalf("balance before the hour ends %q", got)
	}
	f.clock.Add(91 * time.Minute) // 15:30: 13:40-14:00 (0.2833) and 14:00-15:00 (0.85)
	must(f.client.StopInstance(&ecs.StopInstanceRequest{InstanceId: tea.String(inst)}))
	f.clock.Add(3 * time.Hour) // 18:30: 15:00-15:30 (0.425 -> 0.43), nothing after
	if got := balance(); got != "998.44" {
		t.Fatalf("balance %q, want 998.44 (1000 - 0.28 - 0.85 - 0.43)", got)
	}
	rows, total := txnRows(t, b, &bss.QueryAccountTransactionsRequest{PageNum: tea.Int32(1), PageSize: tea.Int32(10)})
	want := []txnRow{
		{"Expense", "0.43", "ECS pay-as-you-go " + inst + " 2026-11-24 15:00", "2026-11-24T16:00:00Z"},
		{"Expense", "0.85", "ECS pay-as-you-go " + inst + " 2026-11-24 14:00", "2026-11-24T15:00:00Z"},
		{"Expense", "0.28", "ECS pay-as-you-go " + inst + " 2026-11-24 13:00", "2026-11-24T14:00:00Z"},
		{"Income", "1000.00", "Recharge", "2026-11-24T13:40:00Z"},
	}
	if total != 4 || len(rows) != 4 {
		t.Fatalf("total %d, rows %v", total, rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
	// Paging and filters.
	rows, total = txnRows(t, b, &bss.QueryAccountTransactionsRequest{PageNum: tea.Int32(2), PageSize: tea.Int32(3)})
	if total != 4 || len(rows) != 1 || rows[0].remarks != "Recharge" {
		t.Errorf("page 2 of 3: total %d rows %v", total, rows)
	}
	rows, total = txnRows(t, b, &bss.QueryAccountTransactionsRequest{PageSize: tea.Int32(1000),
		CreateTimeStart: tea.String("2026-11-24T14:30:00Z"), CreateTimeEnd: tea.String("2026-11-24T15:00:00Z")})
	if total != 1 || len(rows) != 1 || rows[0].amount != "0.85" {
		t.Errorf("filtered: total %d rows %v", total, rows)
	}
	rows, _ = txnRows(t, b, &bss.QueryAccountTransactionsRequest{PageNum: tea.Int32(9), PageSize: tea.Int32(10)})
	if len(rows) != 0 {
		t.Errorf("past the end: %v", rows)
	}
	// Bills.
	for _, tc := range []struct {
		cycle, date string
		want        float32
		ok          bool
	}{
		{"2026-11", "", 1.56, true},
		{"2026-11", "2026-11-24", 1.56, true},
		{"2026-11", "2026-11-25", 0, false},
		{"2026-12", "", 0, false},
	} {
		got, ok := bill(t, b, tc.cycle, tc.date)
		if got != tc.want || ok != tc.ok {
			t.Errorf("bill %s %s = %v %v, want %v %v", tc.cycle, tc.date, got, ok, tc.want, tc.ok)
		}
	}
	// A started, then force-deleted instance pays until deletion.
	must(f.client.StartInstance(&ecs.StartInstanceRequest{InstanceId: tea.String(inst)}))
	f.clock.Add(30 * time.Minute) // 19:00
	must(f.client.DeleteInstance(&ecs.DeleteInstanceRequest{InstanceId: tea.String(inst), Force: tea.Bool(true)}))
	f.clock.Add(2 * time.Hour)
	if got := balance(); got != "998.01" {
		t.Errorf("after delete: balance %q, want 998.01 (0.43 for 18:30-19:00, then nothing)", got)
	}
}

// TestBSSAdminAndFaults: the admin methods move the balance consistently,
// faults and validation work for BSS actions as for ECS ones.
func TestBSSAdminAndFaults(t *testing.T) {
	f := newFixture(t, ecssim.Options{NoDelay: true, InitialBalance: "12.5"})
	id, secret := f.sim.Credentials()
	b := newBSSClient(t, f.srv, id, secret)
	if got := f.sim.Balance(); got != "12.50" {
		t.Fatalf("initial %q", got)
	}
	if err := f.sim.AddTransaction("Expense", "2.25", "Snapshot"); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.SetBalance("-3.000001"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][2]string{{"Expense", "x"}, {"Expense", "-1"}, {"Gift", "1"}, {"Income", "1.0000001"}} {
		if err := f.sim.AddTransaction(bad[0], bad[1], ""); err == nil {
			t.Errorf("AddTransaction(%q, %q) accepted", bad[0], bad[1])
		}
	}
	views := f.sim.Transactions()
	if len(views) != 3 || views[1].Balance != "10.25" || views[2].Amount != "13.250001" || views[2].Balance != "-3.000001" {
		t.Errorf("transactions %+v", views)
	}
	if got, ok := bill(t, b, "2026-11", ""); !ok || got != 2.25 {
		t.Errorf("bill %v %v: an admin Expense counts, the adjustment does not", got, ok)
	}
	f.sim.ThrottleNext("QueryAccountBalance", 1)
	_, err := b.QueryAccountBalance()
	sdkErr(t, err, "Throttling.User", 400)
	if _, err := b.QueryAccountBalance(); err != nil {
		t.Errorf("after the fault: %v", err)
	}
	_, err = b.QueryAccountBill(&bss.QueryAccountBillRequest{BillingCycle: tea.String("2026-13")})
	sdkErr(t, err, "InvalidParameter", 400)
	_, err = b.QueryAccountBill(&bss.QueryAccountBillRequest{BillingCycle: tea.String("2026-11"),
		Granularity: tea.String("DAILY"), BillingDate: tea.String("2026-12-01")})
	sdkErr(t, err, "InvalidParameter", 400)
	_, err = b.QueryAccountTransactions(&bss.QueryAccountTransactionsRequest{CreateTimeStart: tea.String("yesterday")})
	sdkErr(t, err, "InvalidParameter", 400)
	wrong := newBSSClient(t, f.srv, id, secret+"x")
	_, err = wrong.QueryAccountBalance()
	sdkErr(t, err, "SignatureDoesNotMatch", 403)
}
