# ppcmk serve's Power Platform admin API driven the way the enterprise-policy
# scripts drive BAP: Invoke-RestMethod, a managed-identity token, the link as
# a 202 with operation-location, polled to Succeeded; the module sees the result.
BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
    $script:StoreFolder = Initialize-TestStore
    $script:T = New-TestTenant -Records 20
    $ppcmk = Join-Path -Path $script:RepoRoot -ChildPath 'target/debug/ppcmk'
    if (-not (Test-Path -LiteralPath $ppcmk)) { throw "$ppcmk is missing: cargo build -p ppcmk-cli first (scripts/test-all does)." }
    function Get-FreePort {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
    }
    $script:Port = Get-FreePort
    $script:TokenPort = Get-FreePort
    $script:Log = Join-Path -Path $script:StoreFolder -ChildPath 'serve.log'
    $script:Server = Start-Process -FilePath $ppcmk -ArgumentList @('serve', '-Port', $script:Port, '-TokenPort', $script:TokenPort) `
        -RedirectStandardOutput $script:Log -RedirectStandardError (Join-Path -Path $script:StoreFolder -ChildPath 'serve.err') -PassThru
    $deadline = (Get-Date).AddSeconds(20)
    while (-not ((Test-Path -LiteralPath $script:Log) -and (Select-String -LiteralPath $script:Log -Pattern 'Press Ctrl\+C' -Quiet))) {
        if ($script:Server.HasExited -or (Get-Date) -gt $deadline) { throw "ppcmk serve did not start: $(Get-Content -Raw -LiteralPath $script:Log)" }
        Start-Sleep -Milliseconds 100
    }
    $script:Bap = "https://localhost:$($script:Port)/providers/Microsoft.BusinessAppPlatform"
    $script:Policy = Get-PpCmkEnterprisePolicy -ResourceId $script:T.PolicyId
    # The REST calls run in a child PowerShell started with SSL_CERT_FILE, the
    # line the server prints for .NET on Linux: OpenSSL reads it at start-up,
    # so the CA is trusted as a user would trust it (no certificate check skipped).
    $client = {
        param($TokenPort, $Bap, $PpAdmin, $EnvironmentName, $SystemId)
        $ErrorActionPreference = 'Stop'
        $result = @{}
        $tokenUri = "http://127.0.0.1:$TokenPort/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://service.powerapps.com/&client_id=$PpAdmin"
        $token = (Invoke-RestMethod -Uri $tokenUri -Headers @{ Metadata = 'true' }).access_token
        $headers = @{ Authorization = "Bearer $token" }
        $list = Invoke-RestMethod -Uri "$Bap/scopes/admin/environments?`$expand=permissions&api-version=2016-11-01" -Headers $headers
        $sales = $list.value | Where-Object { $_.name -eq $EnvironmentName }
        $result.DisplayName = $sales.properties.displayName
        $result.KeyManagedBy = $sales.properties.protectionStatus.keyManagedBy
        $result.RetentionDays = [System.Xml.XmlConvert]::ToTimeSpan($sales.properties.retentionDetails.retentionPeriod).TotalDays
        $result.NoTokenStatus = (Invoke-WebRequest -Uri "$Bap/scopes/admin/environments?api-version=2016-11-01" -SkipHttpErrorCheck).StatusCode
        $body = @{ SystemId = $SystemId } | ConvertTo-Json
        $response = Invoke-WebRequest -Method Post -Uri "$Bap/environments/$EnvironmentName/enterprisePolicies/Encryption/link?&api-version=2019-10-01" `
            -Headers $headers -Body $body -ContentType 'application/json'
        $result.LinkStatus = $response.StatusCode
        $location = [string]$response.Headers['operation-location']
        $result.Location = $location
        foreach ($attempt in 1..50) {
            Start-Sleep -Seconds ([int][string]$response.Headers['Retry-After'])
            $operation = Invoke-RestMethod -Uri $location -Headers $headers
            $result.State = $operation.state.id
            if ($result.State -in 'Succeeded', 'Failed') { break }
        }
        $result | ConvertTo-Json -Compress
    }
    $pwsh = (Get-Command -Name pwsh -CommandType Application | Select-Object -First 1).Source
    $previous = $env:SSL_CERT_FILE
    $env:SSL_CERT_FILE = Join-Path -Path $script:StoreFolder -ChildPath 'serve/ca.pem'
    try {
        $output = & $pwsh -NoProfile -NonInteractive -Command $client -args $script:TokenPort, $script:Bap, $script:T.PpAdmin, $script:T.EnvironmentName, $script:Policy.SystemId
    } finally {
        $env:SSL_CERT_FILE = $previous
    }
    $script:Result = ($output | Select-Object -Last 1) | ConvertFrom-Json
}

AfterAll {
    if ($script:Server -and -not $script:Server.HasExited) { Stop-Process -Id $script:Server.Id }
}

Describe 'ppcmk serve: the Power Platform admin API through Invoke-RestMethod' {
    It 'lists the environment in the raw shape, with its retention as an ISO duration' {
        $script:Result.DisplayName | Should -Be 'Sales'
        $script:Result.KeyManagedBy | Should -Be 'Microsoft'
        $script:Result.RetentionDays | Should -Be 7
    }

    It 'refuses a request without a token with 401' {
        $script:Result.NoTokenStatus | Should -Be 401
    }

    It 'links the environment to the policy: 202 with operation-location, polled to Succeeded' {
        $script:Result.LinkStatus | Should -Be 202
        $script:Result.Location | Should -Match '^https://localhost:\d+/providers/Microsoft.BusinessAppPlatform/environments/'
        $script:Result.State | Should -Be 'Succeeded'
        $environment = Invoke-As $script:T.PpAdmin { Get-AdminPowerAppEnvironment -EnvironmentName $script:T.EnvironmentName }
        $environment.KeyManagedBy | Should -Be 'Customer'
    }
}
