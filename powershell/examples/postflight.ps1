#Requires -Version 7.0
<#
.SYNOPSIS
    Post-flight check after a customer-managed key rollout: is everything
    really protected now? Exits 1 when an environment is locked, failed, or
    (with -Strict) still has data on the Microsoft-managed key.

.EXAMPLE
    ./postflight.ps1 -EnvironmentName 00000000-0000-0000-0000-000000000000 -Strict
#>
[CmdletBinding()]
param(
    # Default: every environment that has or had a customer-managed key.
    [string[]] $EnvironmentName,

    # Also stop on warnings: flows or connections still on the Microsoft key.
    [switch] $Strict,

    [string] $ReportPath = 'postflight.csv'
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path -Path $PSScriptRoot -ChildPath '../PpCmk/PpCmk.psd1')

$arguments = @{ FailOn = $(if ($Strict) { 'Warn' } else { 'Fail' }) }
if ($EnvironmentName) {
    $arguments['EnvironmentName'] = $EnvironmentName
}

$report = @()
$gateFailed = $false
try {
    Get-PpCmkEncryptionReport @arguments -ErrorAction Stop | ForEach-Object { $report += $_ }
} catch {
    if ($_.FullyQualifiedErrorId -notlike 'ChecksFailed*') {
        throw
    }
    $gateFailed = $true
}

$report |
    Select-Object -Property EnvironmentName, DisplayName, Status, KeyManagedBy, KeyVersion, Records, Backups,
        FlowsOnMicrosoftKey, ConnectionsOnMicrosoftKey, PreviousKeyVersionNeededUntil, RemovedPolicyKeyNeededUntil,
        @{ Name = 'Findings'; Expression = { $_.Findings -join '; ' } } |
    Export-Csv -Path $ReportPath -NoTypeInformation

foreach ($environment in $report) {
    $colour = switch ($environment.Status) {
        'Pass' { 'Green' }
        'Warn' { 'Yellow' }
        default { 'Red' }
    }
    Write-Host ('{0} {1} ({2}): key {3}' -f $environment.Status, $environment.DisplayName, $environment.EnvironmentName, $environment.KeyManagedBy) -ForegroundColor $colour
    # Records by key version must add up to the records in the environment.
    # RecordsByKeyVersion is an object with one property per key version (a
    # JSON object from the engine); a dictionary is taken as well.
    $counted = 0
    $byKeyVersion = $environment.RecordsByKeyVersion
    $entries = @(if ($byKeyVersion -is [System.Collections.IDictionary]) {
            $byKeyVersion.GetEnumerator() | ForEach-Object { [pscustomobject]@{ Name = [string] $_.Key; Value = $_.Value } }
        } elseif ($null -ne $byKeyVersion) {
            $byKeyVersion.PSObject.Properties | Where-Object { $_.MemberType -eq 'NoteProperty' }
        })
    foreach ($entry in $entries) {
        Write-Host ('    {0,8} records under {1}' -f $entry.Value, $entry.Name)
        $counted += [long] $entry.Value
    }
    if ($counted -ne $environment.Records) {
        Write-Error -Message ('{0}: {1} records by key version, {2} in the environment' -f $environment.DisplayName, $counted, $environment.Records) -ErrorAction Continue
        $gateFailed = $true
    }
    foreach ($finding in $environment.Findings) {
        Write-Host ('    {0}' -f $finding)
    }
    if ($environment.PreviousKeyVersionNeededUntil) {
        Write-Host ('    Keep the previous key version enabled until {0}.' -f $environment.PreviousKeyVersionNeededUntil)
    }
    if ($environment.RemovedPolicyKeyNeededUntil) {
        Write-Host ('    Keep the removed policy''s key and access until {0}.' -f $environment.RemovedPolicyKeyNeededUntil)
    }
}

if ($gateFailed) {
    Write-Error -Message "Post-flight failed. Full report: $ReportPath" -ErrorAction Continue
    exit 1
}
Write-Host "Post-flight passed. Full report: $ReportPath"
exit 0
