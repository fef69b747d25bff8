// Azure.Identity and Azure.Security.KeyVault.Secrets against `ppcmk serve`, with the
// challenge resource verification on (the SDK default). scripts/test-sdk starts the
// server and passes PPCMK_SERVE_PORT, PPCMK_TENANT_ID and PPCMK_CA (the server's CA).
// Exits non-zero on the first failed check.
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Azure;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;

string Need(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
    ? v : throw new InvalidOperationException($"{name} is not set (scripts/test-sdk sets it)");
var port = Need("PPCMK_SERVE_PORT");
var tenant = Need("PPCMK_TENANT_ID");
var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Need("PPCMK_CA")));

// Trust only the server's CA, and send every *.localhost name to loopback (RFC 6761):
// `<vault>.vault.localhost` need not resolve on this machine.
var handler = new SocketsHttpHandler
{
    SslOptions = new SslClientAuthenticationOptions
    {
        RemoteCertificateValidationCallback = (_, cert, _, errors) =>
        {
            if (cert is null) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(cert))
                && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
        },
    },
    ConnectCallback = async (context, token) =>
    {
        var host = context.DnsEndPoint.Host;
        var target = host.EndsWith("localhost", StringComparison.OrdinalIgnoreCase) ? "127.0.0.1" : host;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(target, context.DnsEndPoint.Port, token);
        return new NetworkStream(socket, ownsSocket: true);
    },
};
var transport = new HttpClientTransport(handler);

// Client credentials through MSAL, the authority pointed at the server, instance discovery off.
var credential = new ClientSecretCredential(tenant, "admin@contoso.onmicrosoft.com", "unused-secret",
    new ClientSecretCredentialOptions
    {
        AuthorityHost = new Uri($"https://localhost:{port}"),
        DisableInstanceDiscovery = true,
        Transport = transport,
    });
// Azure.Security.KeyVault.Secrets 4.12 speaks api-version 2026-04-01 by default, which the
// server does not claim to know (docs/rest.md): pin the newest version it serves.
var options = new SecretClientOptions(SecretClientOptions.ServiceVersion.V2025_07_01) { Transport = transport };
options.Retry.Delay = TimeSpan.FromMilliseconds(100);
var client = new SecretClient(new Uri($"https://kv1.vault.localhost:{port}"), credential, options);

var failures = 0;
void Check(bool ok, string what)
{
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}");
    if (!ok) failures++;
}

var name = "dotnet-secret-" + Guid.NewGuid().ToString("N")[..6];
KeyVaultSecret set = await client.SetSecretAsync(name, "first value");
Check(set.Value == "first value" && set.Properties.Version is { Length: > 0 }, "SetSecret returns the value and a version");
Check(set.Id.Host == $"kv1.vault.localhost" && set.Id.Port == int.Parse(port), "the id is absolute on the server's own host and port");
await client.SetSecretAsync(name, "second value");
KeyVaultSecret latest = await client.GetSecretAsync(name);
Check(latest.Value == "second value", "GetSecret returns the latest version");
KeyVaultSecret first = await client.GetSecretAsync(name, set.Properties.Version);
Check(first.Value == "first value", "GetSecret by version returns that version");
var versions = new List<SecretProperties>();
await foreach (var v in client.GetPropertiesOfSecretVersionsAsync(name)) versions.Add(v);
Check(versions.Count == 2, $"two versions listed (got {versions.Count})");
Check(set.Properties.CreatedOn is { } created && Math.Abs((created - DateTimeOffset.UtcNow).TotalDays) < 3650,
    "CreatedOn parses from the integer timestamp");

DeleteSecretOperation deleting = await client.StartDeleteSecretAsync(name);
await deleting.WaitForCompletionAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);
DeletedSecret deleted = deleting.Value;
Check(deleted.RecoveryId is not null && deleted.ScheduledPurgeDate is not null, "the deleted secret has a recovery id and a purge date");
try
{
    await client.GetSecretAsync(name);
    Check(false, "a deleted secret is not readable");
}
catch (RequestFailedException e)
{
    Check(e.Status == 404 && e.ErrorCode == "SecretNotFound", $"a deleted secret is 404 SecretNotFound (got {e.Status} {e.ErrorCode})");
}
RecoverDeletedSecretOperation recovering = await client.StartRecoverDeletedSecretAsync(name);
await recovering.WaitForCompletionAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);
Check((await client.GetSecretAsync(name)).Value.Value == "second value", "the recovered secret keeps its value");

// A user without a data-plane role: 403 from the SDK.
var noRole = new SecretClient(new Uri($"https://kv1.vault.localhost:{port}"),
    new ClientSecretCredential(tenant, "norole@contoso.onmicrosoft.com", "unused-secret",
        new ClientSecretCredentialOptions { AuthorityHost = new Uri($"https://localhost:{port}"), DisableInstanceDiscovery = true, Transport = transport }),
    options);
try
{
    await noRole.GetSecretAsync(name);
    Check(false, "a user without a role is refused");
}
catch (RequestFailedException e)
{
    Check(e.Status == 403, $"a user without a role gets 403 (got {e.Status} {e.ErrorCode})");
}

Console.WriteLine(failures == 0 ? "dotnet SDK tests: passed" : $"dotnet SDK tests: {failures} failed");
return failures == 0 ? 0 : 1;
