"""spark-submit entry point of the gold jobs (EMR Serverless, the Docker image).

    spark-submit --py-files ledgerflow_spark.zip --jars postgresql-42.7.14.jar gold_job.py --bucket <bucket>
"""

import sys

from ledgerflow_spark.gold import main

if __name__ == "__main__":
    sys.exit(main())
