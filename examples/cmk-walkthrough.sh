#!/usr/bin/env bash
# The documentation's customer-managed key walkthrough, end to end, through
# the ppcmk CLI on a new store:
#
#   vault with purge protection -> RSA 2048 key -> provider registered ->
#   enterprise policy from the filled-in template -> policy identity granted
#   Key Vault Crypto Service Encryption User -> Power Platform admin granted
#   Reader on the policy -> environment made managed -> added to the policy
#   (disabled briefly, then Ready while the operation still runs) ->
#   KeyManagedBy Customer -> key rotated (no downtime, no record re-encrypted)
#   -> access revoked -> Locked -> restored -> Ready -> removed ->
#   KeyManagedBy Microsoft
#
# and every record reads back identical at every Ready step. Exits non-zero
# at the first step that does not turn out as the documentation says.
#
# Usage: examples/cmk-walkthrough.sh [path to ppcmk]   (needs python3 for JSON)
set -euo pipefail

PPCMK=${1:-${PPCMK:-ppcmk}}
command -v "$PPCMK" >/dev/null || { echo "ppcmk not found: pass its path or build it (cargo build --release)" >&2; exit 2; }
export PPCMK_HOME=$(mktemp -d "${TMPDIR:-/tmp}/ppcmk-walkthrough.XXXXXX")
trap 'rm -rf "$PPCMK_HOME"' EXIT
unset PPCMK_ACCOUNT PPCMK_NETWORK

PP_ADMIN=ppadmin@contoso.onmicrosoft.com
step() { printf '\n== %s\n' "$*"; }
# json <command> [args...]: runs a command and prints its JSON output.
json() { "$PPCMK" "$@" -OutputFormat Json; }
# field <property> [index]: one property of the JSON objects on stdin.
field() { python3 -c 'import json,sys; v=json.load(sys.stdin)[int(sys.argv[2])][sys.argv[1]]; print("" if v is None else v)' "$1" "${2:-0}"; }
expect() { # expect <what> <actual> <wanted>
    if [[ "$2" != "$3" ]]; then echo "FAILED: $1 is '$2', expected '$3'" >&2; exit 1; fi
    echo "ok: $1 = $2"
}
as_pp() { PPCMK_ACCOUNT=$PP_ADMIN "$@"; }
# generations: the DEK generations the records are sealed under.
generations() {
    as_pp json Get-PpCmkRecord -EnvironmentName "$ENV" -Table sample_0 -First 1000000 |
        python3 -c 'import json,sys; print(",".join(str(g) for g in sorted({r["Generation"] for r in json.load(sys.stdin)})))'
}
# records_digest: a digest of every record (table, id, data) as read back now.
records_digest() {
    for table in account sample_0; do
        as_pp json Get-PpCmkRecord -EnvironmentName "$ENV" -Table $table -First 1000000 |
            python3 -c 'import json,sys,hashlib; print(hashlib.sha256(json.dumps([[r["Table"],r["Id"],r["Data"]] for r in json.load(sys.stdin)]).encode()).hexdigest()[:16])'
    done | paste -sd-
}

step "Key vault with soft delete and purge protection, and an RSA 2048 key"
"$PPCMK" New-AzResourceGroup -Name contoso-cmk -Location centralus >/dev/null
VAULT_ID=$(json New-AzKeyVault -Name contoso-cmk-kv -ResourceGroupName contoso-cmk -Location centralus -EnablePurgeProtection | field ResourceId)
"$PPCMK" New-AzRoleAssignment -SignInName admin@contoso.onmicrosoft.com -RoleDefinitionName 'Key Vault Crypto Officer' -Scope "$VAULT_ID" >/dev/null
"$PPCMK" Add-AzKeyVaultKey -VaultName contoso-cmk-kv -Name contoso-cmk-key -Destination Software -KeyType RSA -Size 2048

step "Register Microsoft.PowerPlatform and deploy the enterprise policy template"
"$PPCMK" Register-AzResourceProvider -ProviderNamespace Microsoft.PowerPlatform >/dev/null
cat >"$PPCMK_HOME/enterprise-policy.json" <<EOF
{
  "\$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {},
  "resources": [
    {
      "type": "Microsoft.PowerPlatform/enterprisePolicies",
      "apiVersion": "2020-10-30",
      "name": "contoso-cmk-policy",
      "location": "unitedstates",
      "kind": "Encryption",
      "identity": { "type": "SystemAssigned" },
      "properties": {
        "lockbox": null,
        "encryption": {
          "state": "Enabled",
          "keyVault": { "id": "$VAULT_ID", "key": { "name": "contoso-cmk-key" } }
        },
        "networkInjection": null
      }
    }
  ]
}
EOF
POLICY_ID=$(json New-AzResourceGroupDeployment -ResourceGroupName contoso-cmk -TemplateFile "$PPCMK_HOME/enterprise-policy.json" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["OutputResources"][0])')
IDENTITY=$(json Get-PpCmkEnterprisePolicy -ResourceId "$POLICY_ID" | field PrincipalId)
echo "policy $POLICY_ID, identity $IDENTITY"

step "Grant the policy's identity access to the key; the Power Platform admin Reader on the policy"
"$PPCMK" New-AzRoleAssignment -ObjectId "$IDENTITY" -RoleDefinitionName 'Key Vault Crypto Service Encryption User' -Scope "$VAULT_ID" >/dev/null
PP_ID=$(json New-AzADUser -DisplayName 'Power Platform Admin' -UserPrincipalName $PP_ADMIN | field Id)
"$PPCMK" Add-PpCmkDirectoryRoleMember -RoleName 'Power Platform Administrator' -UserPrincipalName $PP_ADMIN >/dev/null
"$PPCMK" New-AzRoleAssignment -ObjectId "$PP_ID" -RoleDefinitionName Reader -Scope "$POLICY_ID" >/dev/null
"$PPCMK" Test-PpCmkKeyVaultForCmk -KeyVaultName contoso-cmk-kv -EnterprisePolicyArmId "$POLICY_ID"

step "A managed production environment with data"
ENV=$(as_pp json New-AdminPowerAppEnvironment -DisplayName Sales -Location unitedstates -EnvironmentSku Production -ProvisionDatabase | field EnvironmentName)
as_pp "$PPCMK" Set-AdminPowerAppEnvironmentGovernanceConfiguration -EnvironmentName "$ENV" -UpdatedGovernanceConfiguration '{"protectionLevel":"Standard"}' >/dev/null
as_pp "$PPCMK" New-PpCmkRecord -EnvironmentName "$ENV" -Table account -Id contoso -Data '{"name":"Contoso","revenue":1200000}' >/dev/null
as_pp "$PPCMK" New-PpCmkSampleData -EnvironmentName "$ENV" -Records 2000 -Tables 1 >/dev/null
BEFORE=$(records_digest)
expect KeyManagedBy "$(as_pp json Get-AdminPowerAppEnvironment -EnvironmentName "$ENV" | field KeyManagedBy)" Microsoft

step "Add the environment to the enterprise policy"
# Phased, as the documentation says (002:412): disabled briefly while the new
# key is applied, then Ready while the encryption continues in the background;
# the operation stays Running until every record is re-encrypted.
OP=$(as_pp json Add-PpCmkEnvironmentToEnterprisePolicy -EnvironmentName "$ENV" -PolicyArmId "$POLICY_ID" -NoWait | field OperationId)
expect "State (queued)" "$(as_pp json Get-AdminPowerAppEnvironment -EnvironmentName "$ENV" | field State)" Disabled
expect "operation after 1000 records" "$(as_pp json Resume-PpCmkOperation -OperationId "$OP" -MaxRecords 1000 | field State)" Running
expect "State (encrypting in the background)" "$(as_pp json Get-AdminPowerAppEnvironment -EnvironmentName "$ENV" | field State)" Ready
expect "records while encrypting" "$(records_digest)" "$BEFORE"
expect "operation" "$(as_pp json Resume-PpCmkOperation -OperationId "$OP" | field State)" Succeeded
E=$(as_pp json Get-AdminPowerAppEnvironment -EnvironmentName "$ENV")
expect KeyManagedBy "$(field KeyManagedBy <<<"$E")" Customer
expect State "$(field State <<<"$E")" Ready
expect "records after the add" "$(records_digest)" "$BEFORE"
GENERATIONS=$(generations)

step "Rotate the key: DEKs re-wrapped to the new version, no downtime, no record re-encrypted"
"$PPCMK" Invoke-AzKeyVaultKeyRotation -VaultName contoso-cmk-kv -Name contoso-cmk-key >/dev/null
LAST_KIND=$(as_pp json Get-PpCmkOperation -EnvironmentName "$ENV" | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["Kind"])')
expect "last operation" "$LAST_KIND" KeyRotation
expect State "$(as_pp json Get-AdminPowerAppEnvironment -EnvironmentName "$ENV" | field State)" Ready
expect "records after the rotation" "$(records_digest)" "$BEFORE"
expect "record generations after the rotation (none re-encrypted)" "$(generations)" "$GENERATIONS"

step "Revoke the identity's access: the environment locks, for everyone"
"$PPCMK" Remove-AzRoleAssignment -ObjectId "$IDENTITY" -RoleDefinitionName 'Key Vault Crypto Service Encryption User' -Scope "$VAULT_ID" >/dev/null
"$PPCMK" Invoke-PpCmkMaintenance >/dev/null
expect State "$(as_pp json Get-AdminPowerAppEnvironment -EnvironmentName "$ENV" | field State)" Locked
if "$PPCMK" Get-PpCmkRecord -EnvironmentName "$ENV" -Table account 2>"$PPCMK_HOME/err"; then
    echo "FAILED: a locked environment served its data" >&2; exit 1
fi
expect "error" "$(cut -d: -f2 <"$PPCMK_HOME/err" | tr -d ' ')" EnvironmentLocked

step "Restore the access: re-enabled with all data intact"
"$PPCMK" New-AzRoleAssignment -ObjectId "$IDENTITY" -RoleDefinitionName 'Key Vault Crypto Service Encryption User' -Scope "$VAULT_ID" >/dev/null
"$PPCMK" Invoke-PpCmkMaintenance >/dev/null
expect State "$(as_pp json Get-AdminPowerAppEnvironment -EnvironmentName "$ENV" | field State)" Ready
expect "records after the unlock" "$(records_digest)" "$BEFORE"

step "Remove the environment from the policy: back on the Microsoft-managed key"
as_pp "$PPCMK" Remove-PpCmkEnvironmentFromEnterprisePolicy -EnvironmentName "$ENV" -PolicyArmId "$POLICY_ID"
E=$(as_pp json Get-AdminPowerAppEnvironment -EnvironmentName "$ENV")
expect KeyManagedBy "$(field KeyManagedBy <<<"$E")" Microsoft
expect State "$(field State <<<"$E")" Ready
expect "records after the removal" "$(records_digest)" "$BEFORE"

step "The operation log"
as_pp "$PPCMK" Get-PpCmkOperation -EnvironmentName "$ENV"
echo
echo "The walkthrough ran as documented."
