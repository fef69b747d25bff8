//! `ppcmk serve`: the REST face of the engine for Microsoft's own clients.
//!
//! One HTTPS port serves the vault hosts `<vault>.vault.localhost` (Key
//! Vault's data plane) and the management host `localhost` (the Entra
//! token endpoints a Microsoft authentication library asks for); a plain
//! HTTP token port serves the managed-identity (IMDS) endpoint that
//! `AZURE_POD_IDENTITY_AUTHORITY_HOST` points the Azure SDKs at. Every route
//! runs a registry command through the library's JSON envelope
//! ([`ppcmk::surface::invoke_json`]) as the principal its bearer token
//! names: one engine, one store, one audit log with the CLI and the module.

mod arm;
mod http;
mod keyvault;
mod management;
mod powerplatform;
pub mod router;
pub mod throttle;
pub mod tls;
pub mod token;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use ppcmk::{Error, ErrorCode, Store};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

pub use token::Principal;

/// How `ppcmk serve` was asked to run.
#[derive(Debug, Clone)]
pub struct Config {
    pub address: IpAddr,
    /// The HTTPS port (0: any free port, for tests).
    pub port: u16,
    /// The plain-HTTP managed-identity port (0: any free port).
    pub token_port: u16,
    /// The store folder (`PPCMK_HOME`).
    pub home: PathBuf,
    /// The identity the IMDS endpoint issues tokens for when the request
    /// names none (UPN, object id or application id); default: the signed-in Azure account.
    pub identity: Option<String>,
    /// Key Vault's per-vault throttle (`-Throttle Off`: none, for benchmarks).
    pub throttle: bool,
    /// How long a client may take to send a request's head, and then its body.
    pub read_timeout: Duration,
    /// Connections served at once per port; the next ones get 503 and are closed.
    pub max_connections: usize,
}

impl Config {
    pub fn new(home: PathBuf) -> Config {
        Config {
            address: IpAddr::from([127, 0, 0, 1]),
            port: 8443,
            token_port: 8444,
            home,
            identity: None,
            throttle: true,
            read_timeout: Duration::from_secs(30),
            max_connections: 256,
        }
    }
}

/// What every request handler shares.
pub(crate) struct State {
    pub store: Store,
    pub signer: token::Signer,
    pub tenant_id: String,
    pub port: u16,
    pub token_port: u16,
    pub identity: Option<String>,
    pub throttle: Arc<throttle::Throttle>,
    pub read_timeout: Duration,
}

impl State {
    /// The Key Vault resource the challenge names and tokens must carry as
    /// audience: `https://vault.localhost:<port>` (with the port, so that
    /// Python's resource check, which compares netlocs, passes too).
    pub fn vault_resource(&self) -> String {
        format!("https://vault.localhost:{}", self.port)
    }

    /// Runs one registry command through the shared JSON envelope as `caller`
    /// (an object id from a verified token). Blocking: call from `spawn_blocking`.
    pub fn invoke(
        &self,
        command: &str,
        parameters: serde_json::Value,
        caller: Option<&str>,
    ) -> Result<ppcmk::Outcome, Error> {
        let request = serde_json::json!({"command": command, "parameters": parameters});
        ppcmk::surface::invoke_json(
            &self.store,
            &request,
            ppcmk::InvokeOptions {
                account: caller.map(str::to_string),
                by_token: caller.is_some(),
                // A server answers 503 with Retry-After rather than hold a request for minutes.
                busy_deadline: Some(Duration::from_secs(5)),
                ..Default::default()
            },
        )
    }

    /// The principal `reference` names (UPN, object id or application id), as a token names it.
    pub fn principal(&self, reference: &str) -> Result<Principal, Error> {
        let outcome = self.invoke("Get-AzContext", serde_json::json!({}), Some(reference))?;
        let context = outcome.objects.first().ok_or_else(|| Error::not_found("principal", reference))?;
        let text = |k: &str| context.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        let is_user = text("AccountType").eq_ignore_ascii_case("User");
        Ok(Principal {
            object_id: text("AccountObjectId"),
            name: text("Account"),
            tenant_id: text("TenantId"),
            app_id: context.get("ApplicationId").and_then(|v| v.as_str()).map(str::to_string),
            is_user,
        })
    }
}

/// A running server: its ports and the files a client needs.
pub struct Running {
    runtime: Option<tokio::runtime::Runtime>,
    shutdown: watch::Sender<bool>,
    done: Option<mpsc::Receiver<()>>,
    pub port: u16,
    pub token_port: u16,
    pub address: IpAddr,
    pub tls: tls::TlsFiles,
    pub tenant_id: String,
}

/// Binds the ports and starts serving in a runtime of its own.
pub fn start(config: Config) -> Result<Running, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("ppcmk-serve")
        .build()
        .map_err(|e| Error::internal(format!("starting the server's runtime: {e}")))?;
    let store = Store::open(&config.home)?;
    let files = tls::ensure(&config.home, config.address)?;
    let tls_config = tls::server_config(&files)?;
    let signer = token::Signer::load_or_create(&files.folder)?;
    let (https, token_listener) = runtime.block_on(async {
        let https = bind(config.address, config.port, "-Port").await?;
        let token_listener = bind(config.address, config.token_port, "-TokenPort").await?;
        Ok::<_, Error>((https, token_listener))
    })?;
    let port = https.local_addr().map(|a| a.port()).unwrap_or(config.port);
    let token_port = token_listener.local_addr().map(|a| a.port()).unwrap_or(config.token_port);
    let tenant_id = ppcmk::TENANT_ID.to_string();
    let state = Arc::new(State {
        store,
        signer,
        tenant_id: tenant_id.clone(),
        port,
        token_port,
        identity: config.identity.clone(),
        throttle: Arc::new(throttle::Throttle::new(config.throttle)),
        read_timeout: config.read_timeout,
    });
    let (shutdown, shutdown_rx) = watch::channel(false);
    let (alive, done) = mpsc::channel::<()>(1);
    let acceptor = tokio_rustls::TlsAcceptor::from(tls_config);
    let cap = config.max_connections.max(1);
    runtime.spawn(accept_loop(https, Some(acceptor), state.clone(), cap, shutdown_rx.clone(), alive.clone()));
    runtime.spawn(accept_loop(token_listener, None, state, cap, shutdown_rx, alive));
    Ok(Running {
        runtime: Some(runtime),
        shutdown,
        done: Some(done),
        port,
        token_port,
        address: config.address,
        tls: files,
        tenant_id,
    })
}

impl Running {
    /// The base URL of `vault` on this server.
    pub fn vault_url(&self, vault: &str) -> String {
        format!("https://{vault}.vault.localhost:{}", self.port)
    }

    /// Waits for Ctrl+C or SIGTERM, then stops gracefully.
    pub fn wait_for_signal(self) {
        if let Some(runtime) = &self.runtime {
            runtime.block_on(async {
                #[cfg(unix)]
                {
                    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => {}
                    }
                }
                #[cfg(not(unix))]
                let _ = tokio::signal::ctrl_c().await;
            });
        }
        self.stop();
    }

    /// Stops accepting, lets requests in flight finish (up to 10 s), and returns.
    pub fn stop(mut self) {
        let _ = self.shutdown.send(true);
        if let (Some(runtime), Some(mut done)) = (self.runtime.take(), self.done.take()) {
            runtime.block_on(async {
                let _ = tokio::time::timeout(Duration::from_secs(10), done.recv()).await;
            });
            runtime.shutdown_timeout(Duration::from_secs(1));
        }
    }
}

async fn bind(address: IpAddr, port: u16, parameter: &str) -> Result<TcpListener, Error> {
    TcpListener::bind(SocketAddr::new(address, port)).await.map_err(|e| {
        let message = match e.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "Port {port} on {address} is already in use (another ppcmk serve, or another program); choose another with {parameter}."
            ),
            std::io::ErrorKind::PermissionDenied => {
                format!("Not allowed to listen on {address}:{port} ({e}); choose a port above 1023 with {parameter}.")
            }
            _ => format!("Cannot listen on {address}:{port}: {e}."),
        };
        Error::new(ErrorCode::InvalidArgument, message).with_target(format!("{address}:{port}"))
    })
}

/// Largest request head hyper buffers (headers included); a larger head gets 431.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Most header fields in a request; more get 431.
pub const MAX_HEADERS: usize = 100;

async fn accept_loop(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    state: Arc<State>,
    cap: usize,
    mut shutdown: watch::Receiver<bool>,
    alive: mpsc::Sender<()>,
) {
    // Connections served at once; past the cap, as many again are told 503
    // and closed, and the rest are closed unanswered: the server's memory
    // and threads stay bounded whatever a client opens.
    let served = Arc::new(tokio::sync::Semaphore::new(cap));
    let refused = Arc::new(tokio::sync::Semaphore::new(cap));
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.changed() => return,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors and the like: wait, do not spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let permit = match served.clone().try_acquire_owned() {
            Ok(p) => Ok(p),
            Err(_) => match refused.clone().try_acquire_owned() {
                Ok(p) => Err(p),
                Err(_) => continue, // dropped: closed unanswered
            },
        };
        let _ = stream.set_nodelay(true);
        let (state, tls, mut shutdown, alive) = (state.clone(), tls.clone(), shutdown.clone(), alive.clone());
        tokio::spawn(async move {
            let secure = tls.is_some();
            let over_cap = permit.is_err();
            let timeout = state.read_timeout;
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let state = state.clone();
                async move {
                    if over_cap {
                        return Ok::<_, std::convert::Infallible>(http::too_many_connections());
                    }
                    Ok::<_, std::convert::Infallible>(http::handle(state, req, secure).await)
                }
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .max_buf_size(MAX_HEAD_BYTES)
                .max_headers(MAX_HEADERS)
                .keep_alive(!over_cap)
                .header_read_timeout(timeout)
                .timer(hyper_util::rt::TokioTimer::new());
            match tls {
                Some(acceptor) => {
                    let Ok(Ok(stream)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await
                    else {
                        return;
                    };
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    serve(conn, &mut shutdown).await;
                }
                None => {
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    serve(conn, &mut shutdown).await;
                }
            }
            drop(permit);
            drop(alive);
        });
    }
}

async fn serve<I, S>(conn: hyper::server::conn::http1::Connection<I, S>, shutdown: &mut watch::Receiver<bool>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + 'static,
    S: hyper::service::HttpService<Incoming, ResBody = Full<Bytes>>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = shutdown.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(10), conn.as_mut()).await;
        }
    }
}

pub(crate) type Reply = Response<Full<Bytes>>;

/// What `ppcmk serve` prints on start: the endpoints, and the exact lines
/// that make Node, .NET and Python trust the server's CA and find its tokens.
pub fn banner(r: &Running) -> String {
    let ca = r.tls.ca_pem.display();
    let host = if r.address.is_unspecified() { IpAddr::from([127, 0, 0, 1]) } else { r.address };
    let token_host = match host {
        IpAddr::V6(a) => format!("[{a}]"),
        IpAddr::V4(a) => a.to_string(),
    };
    let created = if r.tls.created { " (created now)" } else { "" };
    format!(
        "ppcmk serve {version}: listening on {address}\n\
         \n  Key Vault        https://<vault>.vault.localhost:{port}   (e.g. {example})\
         \n  Entra authority  https://localhost:{port}   tenant {tenant}\
         \n  Managed identity http://{token_host}:{token_port}/metadata/identity/oauth2/token\
         \n  CA certificate   {ca}{created}\
         \n\nTrust the CA and use the tokens:\
         \n  Node:    export NODE_EXTRA_CA_CERTS={ca}\
         \n  Python:  export REQUESTS_CA_BUNDLE={ca} SSL_CERT_FILE={ca}\
         \n  .NET:    sudo cp {ca} /usr/local/share/ca-certificates/ppcmk-serve.crt && sudo update-ca-certificates\
         \n           (Windows: Import-Certificate -FilePath {ca} -CertStoreLocation Cert:\\CurrentUser\\Root)\
         \n  Tokens:  export AZURE_POD_IDENTITY_AUTHORITY_HOST=http://{token_host}:{token_port}\
         \n           (or ClientSecretCredential with authorityHost https://localhost:{port} and instance discovery off)\
         \n  Names:   if <vault>.vault.localhost does not resolve, add \"127.0.0.1 <vault>.vault.localhost\" to /etc/hosts\
         \n\nPress Ctrl+C to stop.\n",
        version = ppcmk::VERSION,
        address = SocketAddr::new(r.address, r.port),
        port = r.port,
        example = r.vault_url("contoso-cmk-kv"),
        tenant = r.tenant_id,
        token_port = r.token_port,
    )
}
