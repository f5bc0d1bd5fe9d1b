package aliyunecs

import (
	"strings"

	ecs "github.com/alibabacloud-go/ecs-20140526/v4/client"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/seatidemc/seatide/domain"
	"github.com/seatidemc/seatide/ports"
)

// priceOf reads DescribePrice's PriceInfo.Price: the TradePrice and its
// split by product from DetailInfos. The SDK documents DetailInfo.Resource
// as one of InstanceType, bandwidth, image, SystemDisk and DataDisk
// (ecs-20140526 v4.26.10, DescribePriceResponseBodyPriceInfoPriceDetailInfosDetailInfo);
// it is matched without case, as the documented example writes "instance".
// The image is billed with the instance; both disks are the disk product.
// Without details, the split stays empty and the total is the instance's.
func priceOf(p *ecs.DescribePriceResponseBodyPriceInfoPrice) ports.Price {
	out := ports.Price{Amount: formatPrice(*p.TradePrice), Currency: tea.StringValue(p.Currency)}
	if p.DetailInfos == nil || len(p.DetailInfos.DetailInfo) == 0 {
		return out
	}
	var inst, disk, bw domain.Money
	for _, d := range p.DetailInfos.DetailInfo {
		if d == nil || d.TradePrice == nil {
			continue
		}
		m, err := domain.ParseMoney(formatPrice(*d.TradePrice))
		if err != nil {
			continue // a float32 prints at most 9 significant digits: never seen
		}
		switch strings.ToLower(tea.StringValue(d.Resource)) {
		case "systemdisk", "datadisk":
			disk += m
		case "bandwidth":
			bw += m
		default: // instancetype, instance, image
			inst += m
		}
	}
	out.Instance, out.Disk, out.Bandwidth = shortest(inst), shortest(disk), shortest(bw)
	return out
}

// shortest writes m as the cloud writes prices: "0.1", "12.5", "0".
func shortest(m domain.Money) string {
	s := strings.TrimRight(m.String(), "0")
	return strings.TrimSuffix(s, ".")
}
