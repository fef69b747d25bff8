// Azure.Identity, Azure.Security.KeyVault.Secrets and Azure.ResourceManager against
// `ppcmk serve`, with the challenge resource verification on (the SDK default).
// scripts/test-sdk starts the server and passes PPCMK_SERVE_PORT, PPCMK_TENANT_ID,
// PPCMK_CA (the server's CA), PPCMK_SUBSCRIPTION_ID, and for the end to end the
// CLI's binary and a CMK-protected environment (PPCMK_BIN, PPCMK_CMK_*).
// Exits non-zero when a check failed.
using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.ResourceManager;
using Azure.ResourceManager.Resources;
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

// Resource Manager through Azure.ResourceManager: an ArmEnvironment pointing at the
// server (its audience is Azure's own, so the token scope is https://management.azure.com//.default).
var subscriptionId = Need("PPCMK_SUBSCRIPTION_ID");
var armOptions = new ArmClientOptions
{
    Environment = new ArmEnvironment(new Uri($"https://localhost:{port}"), "https://management.azure.com/"),
    Transport = transport,
};
armOptions.Retry.Delay = TimeSpan.FromMilliseconds(100);
var arm = new ArmClient(credential, subscriptionId, armOptions);
SubscriptionResource subscription = await arm.GetDefaultSubscriptionAsync();
Check(subscription.Data.SubscriptionId == subscriptionId, "GetDefaultSubscription reads the store's subscription");
var groups = subscription.GetResourceGroups();
var rgName = "dotnet-rg-" + Guid.NewGuid().ToString("N")[..6];
ArmOperation<ResourceGroupResource> made =
    await groups.CreateOrUpdateAsync(WaitUntil.Completed, rgName, new ResourceGroupData(AzureLocation.WestEurope));
Check(made.Value.Data.Name == rgName && made.Value.Data.Location == AzureLocation.WestEurope, "CreateOrUpdate creates a resource group");
ResourceGroupResource fetched = await groups.GetAsync(rgName);
Check(fetched.Data.Id.ToString() == $"/subscriptions/{subscriptionId}/resourceGroups/{rgName}", "Get reads it back with its ARM id");
Check((await groups.ExistsAsync(rgName)).Value && !(await groups.ExistsAsync("dotnet-none")).Value, "Exists is true for it and false for a missing group");
var groupNames = new List<string>();
await foreach (var g in groups.GetAllAsync()) groupNames.Add(g.Data.Name);
Check(groupNames.Contains(rgName) && groupNames.Contains("rg"), $"GetAll lists it beside rg (got {string.Join(",", groupNames)})");
try
{
    await groups.GetAsync("dotnet-none");
    Check(false, "a missing resource group is refused");
}
catch (RequestFailedException e)
{
    Check(e.Status == 404 && e.ErrorCode == "ResourceGroupNotFound", $"a missing resource group is 404 ResourceGroupNotFound (got {e.Status} {e.ErrorCode})");
}
GenericResourceData? listedVault = null;
await foreach (var res in subscription.GetGenericResourcesAsync())
{
    if (res.Data.Name == "kv1") listedVault = res.Data;
}
Check(listedVault?.ResourceType.ToString() == "Microsoft.KeyVault/vaults", "the subscription's generic resources list the vault kv1");
if (listedVault is not null)
{
    // GenericResource resolves its api-version from the provider's resourceTypes first.
    GenericResource vaultResource = await arm.GetGenericResource(listedVault.Id).GetAsync();
    using var props = JsonDocument.Parse(vaultResource.Data.Properties.ToString());
    var uri = props.RootElement.GetProperty("vaultUri").GetString();
    Check(uri == $"https://kv1.vault.localhost:{port}/", $"the generic vault's properties carry its vaultUri on this server (got {uri})");
}
var inGroup = 0;
await foreach (var _ in fetched.GetGenericResourcesAsync()) inGroup++;
Check(inGroup == 0, "the new resource group holds no resources");
await fetched.DeleteAsync(WaitUntil.Completed);
Check(!(await groups.ExistsAsync(rgName)).Value, "DeleteAsync removes the resource group (the operation completes at once)");

// End to end: the enterprise policy identity's role assignment deleted through the
// REST role-assignment API (as a generic resource) locks the environment, which the
// ppcmk CLI on the same store shows; put back, it is unlocked.
var ppcmk = Need("PPCMK_BIN");
var cmkEnv = Need("PPCMK_CMK_ENV");
var assignmentId = new ResourceIdentifier(Need("PPCMK_CMK_ASSIGNMENT_ID"));
string EnvironmentState()
{
    var start = new ProcessStartInfo(ppcmk) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { "Get-AdminPowerAppEnvironment", "-EnvironmentName", cmkEnv, "-OutputFormat", "Json" }) start.ArgumentList.Add(a);
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    using var doc = JsonDocument.Parse(output);
    return doc.RootElement[0].GetProperty("State").GetString() ?? "";
}
Check(EnvironmentState() == "Ready", "the CMK environment is Ready before the revocation");
GenericResource assignment = await arm.GetGenericResource(assignmentId).GetAsync();
using var assignmentProps = JsonDocument.Parse(assignment.Data.Properties.ToString());
var roleDefinitionId = assignmentProps.RootElement.GetProperty("roleDefinitionId").GetString();
var principalId = assignmentProps.RootElement.GetProperty("principalId").GetString();
await assignment.DeleteAsync(WaitUntil.Completed);
var locked = EnvironmentState();
Check(locked == "Locked", $"after the role assignment's DELETE the CLI shows the environment Locked (got {locked})");
var restore = new GenericResourceData(AzureLocation.CentralUS)
{
    Properties = BinaryData.FromObjectAsJson(new { roleDefinitionId, principalId, principalType = "ServicePrincipal" }),
};
ArmOperation<GenericResource> restored = await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, assignmentId, restore);
Check(restored.Value.Data.Id == assignmentId, "the assignment is put back under its name");
var unlocked = EnvironmentState();
Check(unlocked == "Ready", $"after the PUT the CLI shows the environment Ready again (got {unlocked})");

Console.WriteLine(failures == 0 ? "dotnet SDK tests: passed" : $"dotnet SDK tests: {failures} failed");
return failures == 0 ? 0 : 1;
