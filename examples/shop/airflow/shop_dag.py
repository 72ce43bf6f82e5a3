# shop_dag.py: the example project (examples/shop) as an Airflow DAG, for
# teams whose scheduler is Airflow rather than `kiln scheduler`.
#
# One Airflow task per kiln job, each running `kiln run --jobs JOB --ds
# {{ ds }}` in the project folder, with the dependencies of kiln.yaml.  kiln
# keeps the run history (.kiln/state.db), the lake's atomic commits and the
# quality checks; Airflow only decides when to run what.  BashOperator fails
# the task on any non-zero exit: 6 the job failed (`kiln history --job JOB
# --ds DATE` has the error, .kiln/logs/DATE/JOB.N.log the output), 2 a
# usage or project error that a retry will not fix, 4 or 5 data or I/O
# errors (docs/guide.md#troubleshooting).
#
# Copy this file into Airflow's dags/ folder and set SHOP to where the
# project is.  Retries: kiln.yaml retries each job once already; when
# Airflow should retry instead, set `retries: 0` in kiln.yaml (defaults) and
# `retries` in default_args below, so a failure is not retried twice over.
#
# tests/integration/test_airflow_dag.sh loads this file with a stand-in for
# Airflow, checks that its tasks and dependencies are those of `kiln dag`,
# and runs each task's command in dependency order for a generated day.
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

SHOP = "/srv/shop"   # the folder of kiln.yaml
KILN = "kiln"        # the kiln binary, on the PATH of Airflow's workers

with DAG(
    dag_id="shop",
    schedule="0 3 * * *",  # nightly at 03:00 UTC, for the day that ended
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=True,  # a backfill of missed days, as `kiln backfill` would do
    max_active_runs=1,
    default_args={"retries": 0},
) as dag:

    def kiln_job(job):
        return BashOperator(
            task_id=job,
            bash_command=f"cd {SHOP} && {KILN} run --jobs {job} --ds {{{{ ds }}}} --quiet",
        )

    customers = kiln_job("customers")
    orders = kiln_job("orders")
    clicks = kiln_job("clicks")
    daily_revenue = kiln_job("daily_revenue")
    daily_funnel = kiln_job("daily_funnel")

    customers >> orders
    [orders, customers] >> daily_revenue
    [orders, clicks] >> daily_funnel
