package callkit

import (
	"fmt"
	"strings"
	"time"
)

const (
	// DefaultRegion is used when Config.Region is empty.
	DefaultRegion = "china"
	// DefaultIdentifier is the app administrator account every app has.
	DefaultIdentifier = "administrator"
	// DefaultTimeout is the per-attempt HTTP timeout.
	DefaultTimeout = 10 * time.Second
	// MinTimeout is the service's own processing timeout; a client timeout must exceed it.
	MinTimeout = 3 * time.Second
	// DefaultMaxRetries is the number of retries after the first attempt.
	DefaultMaxRetries = 5
)

type regionDomains struct {
	v1 string // v1 callback + v1 records (callkit-api.md §1)
	v4 string // IM-domain v4 APIs
}

// The domain table of callkit-api.md §1. Outside China the v1 family has one
// international domain; the v4 family has one domain per region.
var regions = map[string]regionDomains{
	"china":          {v1: "callkit.trtc.tencent-cloud.com", v4: "console.tim.qq.com"},
	"singapore":      {v1: "callkit-intl.trtc.tencent-cloud.com", v4: "adminapisgp.im.qcloud.com"},
	"seoul":          {v1: "callkit-intl.trtc.tencent-cloud.com", v4: "adminapikr.im.qcloud.com"},
	"frankfurt":      {v1: "callkit-intl.trtc.tencent-cloud.com", v4: "adminapiger.im.qcloud.com"},
	"silicon-valley": {v1: "callkit-intl.trtc.tencent-cloud.com", v4: "adminapiusa.im.qcloud.com"},
	"jakarta":        {v1: "callkit-intl.trtc.tencent-cloud.com", v4: "adminapiidn.im.qcloud.com"},
}

// regionOrder is the documented order, used in messages and docs.
var regionOrder = []string{"china", "singapore", "seoul", "frankfurt", "silicon-valley", "jakarta"}

// Regions returns the valid region names in documentation order.
func Regions() []string { return append([]string(nil), regionOrder...) }

func lookupRegion(region string) (regionDomains, error) {
	d, ok := regions[region]
	if !ok {
		return regionDomains{}, fmt.Errorf("unknown region %q: valid regions are %s", region, strings.Join(regionOrder, ", "))
	}
	return d, nil
}

// ValidateTimeout checks a per-attempt timeout: it must exceed the service's 3 s.
func ValidateTimeout(d time.Duration) error {
	if d <= MinTimeout {
		return fmt.Errorf("request timeout %s is too short: it must be longer than the service's own %s timeout", d, MinTimeout)
	}
	return nil
}
