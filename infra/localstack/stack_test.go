package localstack

import (
	"net"
	"strings"
	"testing"
)

func TestConfigDefaultsAndOverrides(t *testing.T) {
	env := map[string]string{"TVAPP_ADDR": "127.0.0.1:9400", "LIVINGROOM_ROOT": "/repo"}
	c := ConfigFromEnv(func(k string) string { return env[k] })
	want := map[string]string{
		"DynamoDB": c.DynamoDBAddr, "Lambda": c.LambdaAddr, "DeviceAPI": c.DeviceAPIAddr,
		"DevicePush": c.DevicePushAddr, "AlexaSim": c.AlexaSimAddr, "TVApp": c.TVAppAddr, "Bin": c.BinDir, "Token": c.DevToken,
	}
	expected := map[string]string{
		"DynamoDB": "127.0.0.1:8000", "Lambda": "127.0.0.1:3001", "DeviceAPI": "127.0.0.1:3000",
		"DevicePush": "127.0.0.1:8200", "AlexaSim": "127.0.0.1:8300", "TVApp": "127.0.0.1:9400", "Bin": "/repo/bin", "Token": "dev-token",
	}
	for k, v := range expected {
		if want[k] != v {
			t.Errorf("%s = %q, want %q", k, want[k], v)
		}
	}
}

func TestPortsFreeNamesTheBusyAddress(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	free := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().String()
	}
	c := Config{DynamoDBAddr: free(), LambdaAddr: free(), DeviceAPIAddr: free(), DevicePushAddr: busy.Addr().String(), AlexaSimAddr: free(), TVAppAddr: free()}
	err = portsFree(c)
	if err == nil || !strings.Contains(err.Error(), "DEVICE_PUSH_ADDR") {
		t.Fatalf("portsFree = %v, want an error naming DEVICE_PUSH_ADDR", err)
	}
	c.DevicePushAddr = free()
	if err := portsFree(c); err != nil {
		t.Fatalf("all free: %v", err)
	}
}
