package main

// The property tables below are the single description of what each token
// accepts. Check validates against them, GetSchema renders them, and Diff uses
// them to know which keys of the stored state are inputs. Names, defaults and
// enum values are those of the @pulumi/command 1.2.1 SDK (.d.ts files).

const (
	tokLocalCommand  = "command:local:Command"
	tokRemoteCommand = "command:remote:Command"
	tokCopyToRemote  = "command:remote:CopyToRemote"
	tokCopyFile      = "command:remote:CopyFile"
	tokLocalRun      = "command:local:run"
)

type propKind int

const (
	kString propKind = iota
	kBool
	kInt
	kStringList
	kStringMap
	kAnyList
	kLogging
	kConnection
	kProxyConnection
	kAssetOrArchive
	kAssetMap // outputs only
	kArchive  // outputs only
)

type propSpec struct {
	name     string
	kind     propKind
	required bool
	doc      string
}

// loggingValues are the values of the local/remote Logging enums.
var loggingValues = []string{"stdout", "stderr", "stdoutAndStderr", "none"}

// commonCommandInputs are shared by local:Command, remote:Command and local:run.
var commonCommandInputs = []propSpec{
	{name: "addPreviousOutputInEnv", kind: kBool, doc: "Inject the previous stdout/stderr as PULUMI_COMMAND_STDOUT/PULUMI_COMMAND_STDERR. Defaults to true."},
	{name: "environment", kind: kStringMap, doc: "Additional environment variables available to the command's process."},
	{name: "logging", kind: kLogging, doc: "Which of stdout/stderr to stream to the engine log. Defaults to stdoutAndStderr."},
	{name: "stdin", kind: kString, doc: "Pass a string to the command's process as standard in."},
}

var lifecycleInputs = []propSpec{
	{name: "create", kind: kString, doc: "The command to run once on resource creation (and on update when `update` is unset)."},
	{name: "update", kind: kString, doc: "The command to run when the resource is updated. If empty, `create` runs instead."},
	{name: "delete", kind: kString, doc: "The command to run on resource deletion."},
	{name: "triggers", kind: kAnyList, doc: "The resource is replaced when any of these values change."},
}

var localOnlyInputs = []propSpec{
	{name: "dir", kind: kString, doc: "The directory from which to run the command. It must exist."},
	{name: "interpreter", kind: kStringList, doc: "The program and arguments to run the command. Defaults to [\"/bin/sh\", \"-c\"]."},
	{name: "assetPaths", kind: kStringList, doc: "Path globs (relative to dir) to return as assets after the command completes."},
	{name: "archivePaths", kind: kStringList, doc: "Path globs (relative to dir) to return as one archive after the command completes."},
}

var connectionInput = propSpec{name: "connection", kind: kConnection, required: true, doc: "The parameters with which to connect to the remote host."}

// connectionFields describe remote.Connection; proxyFields remote.ProxyConnection
// (the same minus the nested proxy).
var proxyFields = []propSpec{
	{name: "host", kind: kString, required: true, doc: "The address of the host to connect to."},
	{name: "port", kind: kInt, doc: "The port to connect to. Defaults to 22."},
	{name: "user", kind: kString, doc: "The user for the connection. Defaults to root."},
	{name: "password", kind: kString, doc: "The password for the connection."},
	{name: "privateKey", kind: kString, doc: "The contents of an SSH key; takes preference over the password."},
	{name: "privateKeyPassword", kind: kString, doc: "The password of an encrypted private key."},
	{name: "agentSocketPath", kind: kString, doc: "SSH agent socket path. Defaults to $SSH_AUTH_SOCK."},
	{name: "dialErrorLimit", kind: kInt, doc: "Max allowed dial errors; -1 is unlimited. Defaults to 10."},
	{name: "perDialTimeout", kind: kInt, doc: "Max seconds for each dial attempt; 0 is no maximum. Defaults to 15."},
	{name: "hostKey", kind: kString, doc: "The expected host key. If not provided, any host key is accepted."},
}

var connectionFields = append(append([]propSpec{}, proxyFields...),
	propSpec{name: "proxy", kind: kProxyConnection, doc: "The connection settings for the bastion/proxy host."})

type resourceSpec struct {
	token   string
	doc     string
	inputs  []propSpec
	outputs []propSpec // outputs in addition to the inputs
}

func concat(lists ...[]propSpec) []propSpec {
	var out []propSpec
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

var stdOutputs = []propSpec{
	{name: "stdout", kind: kString, required: true, doc: "The standard output of the command's process."},
	{name: "stderr", kind: kString, required: true, doc: "The standard error of the command's process."},
}

var assetOutputs = []propSpec{
	{name: "assets", kind: kAssetMap, doc: "A map of assets found after running the command, keyed by path relative to dir."},
	{name: "archive", kind: kArchive, doc: "An archive of the files matched by archivePaths."},
}

var resourceSpecs = map[string]resourceSpec{
	tokLocalCommand: {
		token:   tokLocalCommand,
		doc:     "A local command to be executed.",
		inputs:  concat(lifecycleInputs, commonCommandInputs, localOnlyInputs),
		outputs: concat(stdOutputs, assetOutputs),
	},
	tokRemoteCommand: {
		token:   tokRemoteCommand,
		doc:     "A command to run on a remote host over SSH.",
		inputs:  concat([]propSpec{connectionInput}, lifecycleInputs, commonCommandInputs),
		outputs: stdOutputs,
	},
	tokCopyToRemote: {
		token: tokCopyToRemote,
		doc:   "Copy an Asset or Archive to a remote host.",
		inputs: []propSpec{
			connectionInput,
			{name: "source", kind: kAssetOrArchive, required: true, doc: "A FileAsset, StringAsset or FileArchive to upload."},
			{name: "remotePath", kind: kString, required: true, doc: "The destination path on the remote host."},
			{name: "triggers", kind: kAnyList, doc: "Trigger replacements on changes to this input."},
		},
	},
	tokCopyFile: {
		token: tokCopyFile,
		doc:   "Copy a local file to a remote host (deprecated upstream in favour of CopyToRemote).",
		inputs: []propSpec{
			connectionInput,
			{name: "localPath", kind: kString, required: true, doc: "The path of the file to be copied."},
			{name: "remotePath", kind: kString, required: true, doc: "The destination path on the remote host."},
			{name: "triggers", kind: kAnyList, doc: "Trigger replacements on changes to this input."},
		},
	},
}

// runInvokeInputs are the arguments of the command:local:run invoke.
var runInvokeInputs = concat(
	[]propSpec{{name: "command", kind: kString, required: true, doc: "The command to run."}},
	commonCommandInputs, localOnlyInputs)

// inputNames lists the input property names of a resource token.
func inputNames(token string) []string {
	spec := resourceSpecs[token]
	names := make([]string, 0, len(spec.inputs))
	for _, p := range spec.inputs {
		names = append(names, p.name)
	}
	return names
}
