// Package sms sends text messages to mainland mobile numbers through one Sender: a gateway reached
// over HTTP where one is configured (TIMEBANK_SMS_URL), or, in development, the log. The service
// sends few messages (password reset codes, later reminders), each short and in the person's
// language.
package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Sender sends one message.
type Sender interface {
	Send(ctx context.Context, phone, text string) error
}

// ErrNotConfigured means no gateway is configured and the service runs in production: nothing can
// be sent, and features that need SMS are off.
var ErrNotConfigured = errors.New("sms: no gateway configured")

// Gateway posts each message as JSON {"phone", "text"} to a URL with a bearer token, the shape of
// the SMS relays organizations run in front of their carrier's or cloud provider's API.
type Gateway struct {
	URL    string
	Token  string
	Client *http.Client
}

// Send posts the message and accepts any 2xx answer.
func (g Gateway) Send(ctx context.Context, phone, text string) error {
	body, _ := json.Marshal(map[string]string{"phone": phone, "text": text})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if g.Token != "" {
		req.Header.Set("Authorization", "Bearer "+g.Token)
	}
	c := g.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("sms: gateway: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("sms: gateway answered %d", resp.StatusCode)
	}
	return nil
}

// Log is the development sender: it writes the message to the log, so that a developer can read a
// reset code. It must never run in production, where the log would hold the codes.
type Log struct{ Logger *slog.Logger }

// Send logs the message with the number masked.
func (l Log) Send(_ context.Context, phone, text string) error {
	l.Logger.Info("sms (development: not sent)", "phone", mask(phone), "text", text)
	return nil
}

// Off is the sender of a production service without a gateway: every send fails.
type Off struct{}

// Send refuses.
func (Off) Send(context.Context, string, string) error { return ErrNotConfigured }

// Enabled reports whether the sender can send at all: false for Off, the sender of a production
// service without a gateway.
func Enabled(s Sender) bool {
	_, off := s.(Off)
	return s != nil && !off
}

// New returns the sender for the configuration: the gateway when url is set, else the log in
// development and Off in production.
func New(url, token string, production bool, log *slog.Logger) Sender {
	switch {
	case url != "":
		return Gateway{URL: url, Token: token}
	case production:
		return Off{}
	}
	return Log{Logger: log}
}

// ResetText is the message that carries a password reset code, in the person's language.
func ResetText(lang, code string, minutes int) string {
	if lang == "en" {
		return fmt.Sprintf("[Timebank] Your password reset code is %s, valid for %d minutes. If you did not ask for it, ignore this message.", code, minutes)
	}
	return fmt.Sprintf("【公益仓】您的密码重置验证码为 %s，%d 分钟内有效。如非本人操作，请忽略本短信。", code, minutes)
}

// RegistrationText is the message that carries a registration code, in the language of the page
// it was asked from.
func RegistrationText(lang, code string, minutes int) string {
	if lang == "en" {
		return fmt.Sprintf("[Timebank] Your registration code is %s, valid for %d minutes. If you did not ask for it, ignore this message.", code, minutes)
	}
	return fmt.Sprintf("【公益仓】您的注册验证码为 %s，%d 分钟内有效。如非本人操作，请忽略本短信。", code, minutes)
}

// RegistrationTakenText is the message sent instead of a code when the number is registered
// already: someone tried to register it; its owner may sign in, or reset the password at resetURL.
func RegistrationTakenText(lang, resetURL string) string {
	if lang == "en" {
		return "[Timebank] Someone tried to register an account with this number, which already has one. If it was you, sign in, or reset your password at " + resetURL + ". If not, ignore this message."
	}
	return "【公益仓】有人尝试用本手机号注册账号，但该号码已注册。如是本人操作，请直接登录；忘记密码可在 " + resetURL + " 重置。如非本人操作，请忽略本短信。"
}

// ServiceText is the message that carries a resident's one-time code for a service request (to ask
// for a service, or to confirm one done), in the person's language.
func ServiceText(lang, code string, minutes int) string {
	if lang == "en" {
		return fmt.Sprintf("[Timebank] Your service request code is %s, valid for %d minutes. Give it only to the volunteer who served you.", code, minutes)
	}
	return fmt.Sprintf("【公益仓】您的服务验证码为 %s，%d 分钟内有效。仅在服务完成时告知为您服务的志愿者。", code, minutes)
}

func mask(p string) string {
	if len(p) != 11 {
		return "***"
	}
	return p[:3] + "****" + p[7:]
}
