package main

import (
	"net"
	"os"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// connection is remote.Connection / remote.ProxyConnection with the SDK's
// defaults applied (the Node SDK applies them too, but other callers such as
// YAML programs or older states may not have).
type connection struct {
	host               string
	port               int
	user               string
	password           *string
	privateKey         *string
	privateKeyPassword *string
	agentSocketPath    *string
	hostKey            *string
	dialErrorLimit     int
	perDialTimeout     int
	proxy              *connection
}

func decodeConnection(p resource.PropertyMap) connection {
	host, _ := str(p, "host")
	user, ok := str(p, "user")
	if !ok || user == "" {
		user = "root"
	}
	c := connection{
		host:               host,
		port:               intOr(p, "port", 22),
		user:               user,
		password:           strPtr(p, "password"),
		privateKey:         strPtr(p, "privateKey"),
		privateKeyPassword: strPtr(p, "privateKeyPassword"),
		agentSocketPath:    strPtr(p, "agentSocketPath"),
		hostKey:            strPtr(p, "hostKey"),
		dialErrorLimit:     intOr(p, "dialErrorLimit", 10),
		perDialTimeout:     intOr(p, "perDialTimeout", 15),
	}
	if c.port == 0 {
		c.port = 22
	}
	if proxy, ok := obj(p, "proxy"); ok {
		pc := decodeConnection(proxy)
		c.proxy = &pc
	}
	return c
}

// connectionOf reads the `connection` input of a remote resource.
func connectionOf(plainInputs resource.PropertyMap) connection {
	p, _ := obj(plainInputs, "connection")
	return decodeConnection(p)
}

func (c connection) address() string {
	return net.JoinHostPort(c.host, strconv.Itoa(c.port))
}

// agentSocket is the explicit agentSocketPath, else $SSH_AUTH_SOCK; explicit
// tells whether a failure to use it is the user's error or can be ignored.
func (c connection) agentSocket() (path string, explicit bool) {
	if c.agentSocketPath != nil && *c.agentSocketPath != "" {
		return *c.agentSocketPath, true
	}
	return os.Getenv("SSH_AUTH_SOCK"), false
}
