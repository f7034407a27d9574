"""Every text of the template workbooks, in English and in French.

The KPI definitions come from French sources (S0-S4) and French finance teams are the first
users, so both languages are complete: a key missing in one language is a test failure, never
a silent fallback. Inputs rows have a label, a unit and a note (the cell comment saying what
goes in the row).
"""

from __future__ import annotations

__all__ = ["LANGS", "SHEETS", "TEXT", "INPUT_TEXT", "KPI_TEXT", "HOW_TO", "text", "sheet_name"]

LANGS = ("en", "fr")

#: Sheet names (formulas quote them when needed).
SHEETS = {
    "en": {"how_to": "How to use", "inputs": "Inputs", "survey": "Survey", "dashboard": "Dashboard",
           "rollups": "Roll-ups", "subscriptions": "Subscriptions", "cohorts": "Cohorts"},
    "fr": {"how_to": "Mode d'emploi", "inputs": "Saisies", "survey": "Enquêtes",
           "dashboard": "Tableau de bord", "rollups": "Cumuls", "subscriptions": "Abonnements",
           "cohorts": "Cohortes"},
}

#: Short texts: titles, headers, group and section names, chart titles.
TEXT = {
    "en": {
        "title_inputs": "Monthly inputs",
        "title_survey": "Survey answers",
        "title_dashboard": "SaaS KPI dashboard",
        "title_rollups": "Quarterly and yearly roll-up of the inputs",
        "title_how_to": "How to use this workbook",
        "template_subtitle": "Type your figures in the coloured cells; everything else is computed.",
        "input": "Input",
        "unit": "Unit",
        "kpi": "KPI",
        "benchmark": "Benchmark",
        "rule": "Roll-up rule",
        "months": "Monthly",
        "quarters": "Quarterly",
        "years": "Yearly",
        "quarter_prefix": "Q",
        "first_month": "First month: type it here; the next months follow.",
        "acquisition": "Acquisition",
        "customers": "Customers",
        "revenue": "Revenue",
        "costs": "Costs",
        "satisfaction": "Satisfaction and support",
        "finance": "Finance",
        "derived": "Derived for the roll-ups",
        "rule_sum": "sum of the months",
        "rule_first": "first month",
        "rule_last": "last month",
        "rule_weighted": "average weighted by revenue",
        "rule_average": "average of the months",
        "sec_mrr": "MRR movements",
        "sec_revenue": "Revenue",
        "sec_customers": "Customers and retention",
        "sec_acquisition": "Acquisition",
        "sec_lifetime": "Lifetime value",
        "sec_satisfaction": "Satisfaction and support",
        "sec_finance": "Profitability and balance sheet",
        "survey_nps": "NPS answers: one score 0-10 per answer, under the month of the answer",
        "survey_csat": "CSAT answers: one score 1-5 per answer (4 and 5 are positive)",
        "survey_note": "Insert rows inside a block if a month has more answers: the formulas follow.",
        "funnel_title": "Acquisition funnel, last 12 months",
        "funnel_count": "Count (sum of 12 months)",
        "funnel_step": "Step conversion (KPI_FUNNEL)",
        "funnel_cumulative": "Share of visitors (KPI_FUNNEL cumulative)",
        "stage_visitors": "Visitors",
        "stage_contacts": "Contacts",
        "stage_leads": "Leads",
        "stage_mql": "MQL",
        "stage_sal": "SAL",
        "stage_sql": "SQL",
        "stage_new_customers": "Won",
        "chart_churn": "Monthly customer churn",
        "chart_ltv_cac": "LTV:CAC",
        "chart_funnel": "Acquisition funnel, last 12 months",
        "chart_nps": "NPS",
        "chart_movements_dash": "MRR movements and net new MRR",
        "chart_mrr_end": "MRR, end of month",
        "axis_mrr_change": "MRR added or lost in the month",
        "axis_mrr": "MRR",
        "axis_funnel": "Count over 12 months (log scale)",
        "axis_churn": "Customers lost per month",
        "axis_ltv_cac": "LTV / CAC",
        "axis_nps": "NPS (points)",
        "benchmark_at_least": "Benchmark: {} or more",
        "benchmark_at_most": "Benchmark: {} or less",
        "reading_note": (
            "Annual churn: quote \"customer churn per year\", the monthly rate compounded over 12 "
            "months (the benchmarks' 5-7 % are such rates); 1 - CRR is higher for a growing base: "
            "it sets the whole period's losses, customers won during it included, against the "
            "customers at its start only. First-year ROI of S&M: (12 months of the new MRR at "
            "gross margin - sales and marketing spend) / that spend; it stays negative while the "
            "new customers' margin takes more than a year to repay what winning them cost, whereas "
            "LTV:CAC counts their whole lifetime. NPS and CSAT: the Survey answers of the period, "
            "or the counts typed on Inputs for a period without answers."
        ),
        "rollup_note": (
            "Roll-ups are computed from the summed inputs (sheet Roll-ups), never by averaging "
            "monthly KPIs: a quarter's CRR = KPI_CRR(customers at its end, customers won in it, "
            "customers at its start); NRR, revenue churn and CAC likewise over the quarter's sums. Rates are "
            "per period of their column, except the rows said to be per month: churn per month "
            "over a quarter = customers lost / sum of the customers at the start of each month."
        ),
        "benchmark_note": (
            "Benchmarks (S1, S3, S4): LTV:CAC 3 or more; NRR 100 % or more; monthly churn 0.58 % "
            "or less (7 % a year / 12); NPS above the SaaS average of 41. Green meets it, red "
            "does not."
        ),
        "how_to_kpis": "The Dashboard's KPIs and the functions that compute them",
        "how_to_not_shown": (
            "KPI_MRR_MOVEMENTS and KPI_COHORTS are on the Subscriptions and Cohorts sheets. Not in this "
            "workbook, because they need other data than monthly totals: KPI_MRR and "
            "KPI_ARR_FROM_SUBSCRIPTIONS (a list of subscriptions), KPI_ENPS (employee answers), "
            "KPI_ENGAGEMENT (usage data and weights), KPI_MRR_FROM_AVERAGE (the MRR is typed). "
            "KPI_RETENTION is not repeated: when the customer counts roll forward (end = start - lost + new) it equals CRR. "
            "KPI_CHURN_MONTHLY computes the churn benchmark."
        ),
        "val_count": "A whole number, 0 or more.",
        "val_amount": "An amount, 0 or more.",
        "val_signed": "A number (negative for a loss).",
        "val_fraction": "A percentage between 0 % and 100 %.",
        "val_months": "A duration in months, above 0.",
        "val_nps": "A whole score from 0 to 10.",
        "val_csat": "A whole score from 1 to 5.",
        "example_company": "Example: Nimbus Ledger, a fictional B2B SaaS (invoicing software), in EUR",
        "title_subscriptions": "Subscriptions: billing ledger and MRR movements",
        "title_cohorts": "Cohorts: customers and MRR by month of first payment",
        "subs_template_note": (
            "Paste your billing export in the coloured columns: one row per customer and month "
            "(rows of one customer and month are added up; a month without a row, or with MRR 0, "
            "is a month without payment). Plan and segment are optional, for your own filters."
        ),
        "subs_example_note": (
            "Example: the billing ledger of one Nimbus Ledger customer in ten (generated), {customers} "
            "customers over 24 months. Its MRR is about a tenth of the Inputs sheet's and follows the "
            "same trends (the March 2025 outage), but it is a sample: its movements are not a tenth of "
            "each Inputs figure."
        ),
        "ledger_title": "Billing ledger (input)",
        "movements_title": "MRR movements: KPI_MRR_MOVEMENTS(customer ids, months, MRR)",
        "col_customer": "Customer id",
        "col_month": "Month",
        "col_mrr": "MRR",
        "col_plan": "Plan (optional)",
        "col_segment": "Segment (optional)",
        "mov_month": "Month",
        "mov_start": "Starting MRR",
        "mov_new": "New",
        "mov_expansion": "Expansion",
        "mov_contraction": "Contraction",
        "mov_churned": "Churned",
        "mov_reactivation": "Reactivation",
        "mov_net_new": "Net new",
        "mov_end": "Ending MRR",
        "mov_customers": "Customers",
        "chart_helper": "for the chart",
        "chart_movements": "MRR movements and net new MRR (billing ledger)",
        "first_month_new": "The ledger's first month counts every paying customer as new.",
        "cohorts_note": (
            "A customer's cohort is the month of its first payment in the ledger; age 0 is that month. "
            "A customer who leaves and comes back stays in its first cohort. Cells after the last "
            "month are empty."
        ),
        "cohort_logos_title": 'Paying customers by cohort and age: KPI_COHORTS(..., "logos")',
        "cohort_revenue_title": 'MRR by cohort and age: KPI_COHORTS(..., "revenue")',
        "cohort_retention_title": 'Revenue retention by cohort, MRR at each age / age 0: KPI_COHORTS(..., "revenue", TRUE)',
        "cohort_month": "Cohort",
        "cohort_age": "Age in months",
        "val_mrr": "An MRR, 0 or more (0: no payment that month).",
        "val_month": "A date: any day of the month.",
    },
    "fr": {
        "title_inputs": "Saisies mensuelles",
        "title_survey": "Réponses aux enquêtes",
        "title_dashboard": "Tableau de bord des KPI SaaS",
        "title_rollups": "Cumuls trimestriels et annuels des saisies",
        "title_how_to": "Mode d'emploi du classeur",
        "template_subtitle": "Saisissez vos chiffres dans les cellules colorées ; tout le reste est calculé.",
        "input": "Saisie",
        "unit": "Unité",
        "kpi": "Indicateur",
        "benchmark": "Référence",
        "rule": "Règle de cumul",
        "months": "Mensuel",
        "quarters": "Trimestriel",
        "years": "Annuel",
        "quarter_prefix": "T",
        "first_month": "Premier mois : saisissez-le ici ; les mois suivants s'en déduisent.",
        "acquisition": "Acquisition",
        "customers": "Clients",
        "revenue": "Chiffre d'affaires",
        "costs": "Coûts",
        "satisfaction": "Satisfaction et support",
        "finance": "Finance",
        "derived": "Calculé pour les cumuls",
        "rule_sum": "somme des mois",
        "rule_first": "premier mois",
        "rule_last": "dernier mois",
        "rule_weighted": "moyenne pondérée par le CA",
        "rule_average": "moyenne des mois",
        "sec_mrr": "Mouvements du MRR",
        "sec_revenue": "Revenus",
        "sec_customers": "Clients et rétention",
        "sec_acquisition": "Acquisition",
        "sec_lifetime": "Valeur vie client",
        "sec_satisfaction": "Satisfaction et support",
        "sec_finance": "Rentabilité et bilan",
        "survey_nps": "Réponses NPS : une note de 0 à 10 par réponse, sous le mois de la réponse",
        "survey_csat": "Réponses CSAT : une note de 1 à 5 par réponse (4 et 5 sont positives)",
        "survey_note": "Insérez des lignes dans un bloc si un mois a plus de réponses : les formules suivent.",
        "funnel_title": "Entonnoir d'acquisition, 12 derniers mois",
        "funnel_count": "Effectif (somme sur 12 mois)",
        "funnel_step": "Conversion par étape (KPI_FUNNEL)",
        "funnel_cumulative": "Part des visiteurs (KPI_FUNNEL cumulé)",
        "stage_visitors": "Visiteurs",
        "stage_contacts": "Contacts",
        "stage_leads": "Leads",
        "stage_mql": "MQL",
        "stage_sal": "SAL",
        "stage_sql": "SQL",
        "stage_new_customers": "Clients",
        "chart_churn": "Attrition client mensuelle",
        "chart_ltv_cac": "LTV:CAC",
        "chart_funnel": "Entonnoir d'acquisition, 12 derniers mois",
        "chart_nps": "NPS",
        "chart_movements_dash": "Mouvements du MRR et MRR net nouveau",
        "chart_mrr_end": "MRR en fin de mois",
        "axis_mrr_change": "MRR gagné ou perdu dans le mois",
        "axis_mrr": "MRR",
        "axis_funnel": "Effectif sur 12 mois (échelle log)",
        "axis_churn": "Clients perdus par mois",
        "axis_ltv_cac": "LTV / CAC",
        "axis_nps": "NPS (points)",
        "benchmark_at_least": "Référence : {} ou plus",
        "benchmark_at_most": "Référence : {} ou moins",
        "reading_note": (
            "Attrition annuelle : citez « attrition client annuelle », le taux mensuel composé sur "
            "12 mois (les 5 à 7 % de référence sont de tels taux) ; 1 - CRR est plus élevé pour une "
            "base qui croît : il rapporte toutes les pertes de la période, clients gagnés pendant "
            "celle-ci compris, aux seuls clients du début. ROI commercial 1re année : (12 mois du "
            "MRR nouveau à la marge brute - dépenses commerciales et marketing) / ces dépenses ; il "
            "reste négatif tant que la marge des nouveaux clients met plus d'un an à rembourser "
            "leur acquisition, alors que le LTV:CAC compte toute leur durée de vie. NPS et CSAT : "
            "les réponses des Enquêtes de la période, ou les effectifs des Saisies pour une période "
            "sans réponse."
        ),
        "rollup_note": (
            "Les cumuls se calculent sur les saisies additionnées (feuille Cumuls), jamais en "
            "moyennant les KPI mensuels : CRR du trimestre = KPI_CRR(clients en fin de trimestre, "
            "clients gagnés dans le trimestre, clients au début du trimestre) ; NRR, attrition du CA et CAC de même "
            "sur les sommes du trimestre. Les taux portent sur la période de leur colonne, sauf "
            "les lignes dites mensuelles : attrition mensuelle d'un trimestre = clients perdus / "
            "somme des clients en début de chaque mois."
        ),
        "benchmark_note": (
            "Références (S1, S3, S4) : LTV:CAC d'au moins 3 ; NRR d'au moins 100 % ; attrition "
            "mensuelle d'au plus 0,58 % (7 % par an / 12) ; NPS au-dessus de la moyenne SaaS de "
            "41. Vert : atteinte ; rouge : non atteinte."
        ),
        "how_to_kpis": "Les KPI du tableau de bord et les fonctions qui les calculent",
        "how_to_not_shown": (
            "KPI_MRR_MOVEMENTS et KPI_COHORTS sont sur les feuilles Abonnements et Cohortes. Absents du "
            "classeur, car ils demandent d'autres données que des totaux mensuels : KPI_MRR et "
            "KPI_ARR_FROM_SUBSCRIPTIONS (une liste d'abonnements), KPI_ENPS (réponses des salariés), "
            "KPI_ENGAGEMENT (données d'usage et pondérations), KPI_MRR_FROM_AVERAGE (le MRR est saisi). "
            "KPI_RETENTION n'est pas répété : quand les effectifs s'enchaînent (fin = début - perdus + gagnés), il vaut le CRR. "
            "KPI_CHURN_MONTHLY calcule la référence d'attrition."
        ),
        "val_count": "Un nombre entier positif ou nul.",
        "val_amount": "Un montant positif ou nul.",
        "val_signed": "Un nombre (négatif pour une perte).",
        "val_fraction": "Un pourcentage entre 0 % et 100 %.",
        "val_months": "Une durée en mois, plus grande que 0.",
        "val_nps": "Une note entière de 0 à 10.",
        "val_csat": "Une note entière de 1 à 5.",
        "example_company": "Exemple : Nimbus Ledger, SaaS B2B fictif (logiciel de facturation), en euros",
        "title_subscriptions": "Abonnements : registre de facturation et mouvements du MRR",
        "title_cohorts": "Cohortes : clients et MRR par mois du premier paiement",
        "subs_template_note": (
            "Collez votre export de facturation dans les colonnes colorées : une ligne par client et "
            "par mois (les lignes d'un même client et d'un même mois s'additionnent ; un mois sans "
            "ligne, ou à MRR 0, est un mois sans paiement). Offre et segment sont facultatifs, pour "
            "vos propres filtres."
        ),
        "subs_example_note": (
            "Exemple : le registre de facturation d'un client de Nimbus Ledger sur dix (généré), "
            "{customers} clients sur 24 mois. Son MRR vaut environ un dixième de celui des Saisies et "
            "suit les mêmes tendances (la panne de mars 2025), mais c'est un échantillon : ses "
            "mouvements ne sont pas un dixième de chaque chiffre des Saisies."
        ),
        "ledger_title": "Registre de facturation (saisie)",
        "movements_title": "Mouvements du MRR : KPI_MRR_MOVEMENTS(identifiants, mois, MRR)",
        "col_customer": "Identifiant client",
        "col_month": "Mois",
        "col_mrr": "MRR",
        "col_plan": "Offre (facultatif)",
        "col_segment": "Segment (facultatif)",
        "mov_month": "Mois",
        "mov_start": "MRR de début",
        "mov_new": "Nouveau",
        "mov_expansion": "Expansion",
        "mov_contraction": "Contraction",
        "mov_churned": "Perdu",
        "mov_reactivation": "Réactivation",
        "mov_net_new": "Net nouveau",
        "mov_end": "MRR de fin",
        "mov_customers": "Clients",
        "chart_helper": "pour le graphique",
        "chart_movements": "Mouvements du MRR et MRR net nouveau (registre de facturation)",
        "first_month_new": "Le premier mois du registre compte chaque client payant comme nouveau.",
        "cohorts_note": (
            "La cohorte d'un client est le mois de son premier paiement dans le registre ; l'âge 0 est "
            "ce mois-là. Un client qui part puis revient reste dans sa première cohorte. Les cellules "
            "après le dernier mois sont vides."
        ),
        "cohort_logos_title": 'Clients payants par cohorte et par âge : KPI_COHORTS(..., "logos")',
        "cohort_revenue_title": 'MRR par cohorte et par âge : KPI_COHORTS(..., "revenue")',
        "cohort_retention_title": "Rétention du revenu par cohorte, MRR à chaque âge / âge 0 : KPI_COHORTS(..., \"revenue\", TRUE)",
        "cohort_month": "Cohorte",
        "cohort_age": "Âge en mois",
        "val_mrr": "Un MRR positif ou nul (0 : pas de paiement ce mois-là).",
        "val_month": "Une date : n'importe quel jour du mois.",
    },
}

#: Inputs rows: key -> (label, unit, note), per language.
INPUT_TEXT = {
    "en": {
        "visitors": ("Unique visitors", "count", "Unique visitors of the website in the month (web analytics)."),
        "contacts": ("Contacts (subscribers)", "count", "New contacts in the month: newsletter subscribers, content downloads, sign-ups."),
        "leads": ("Leads", "count", "New leads in the month: contacts who showed buying interest. Must not exceed the contacts."),
        "mql": ("MQL", "count", "Marketing-qualified leads created in the month (a subset of the leads)."),
        "sal": ("SAL", "count", "Sales-accepted leads in the month (a subset of the MQL)."),
        "sql": ("SQL", "count", "Sales-qualified leads in the month (a subset of the SAL)."),
        "new_customers": ("New customers", "count", "New paying customers won in the month, returning customers included."),
        "pql": ("PQL", "count", "Product-qualified leads: trial or freemium users who reached the activation criteria in the month."),
        "pql_converted": ("PQL converted to paid", "count", "PQLs of the month who became paying customers."),
        "customers_start": ("Customers at start of month", "count", "Paying customers on the first day of the month (the previous month's end)."),
        "customers_end": ("Customers at end of month", "count", "Paying customers on the last day of the month."),
        "churned_customers": ("Customers lost (churned)", "count", "Paying customers who cancelled or did not renew in the month."),
        "mrr_start": ("MRR at start of month", "amount", "Monthly recurring revenue on the first day of the month (the previous month's end)."),
        "mrr_new": ("New MRR", "amount", "MRR of the customers won in the month."),
        "mrr_expansion": ("Expansion MRR", "amount", "MRR added by upgrades, extra seats and add-ons of existing customers."),
        "mrr_contraction": ("Contraction MRR", "amount", "MRR lost to downgrades of customers who stay (a positive amount)."),
        "mrr_churned": ("Churned MRR", "amount", "MRR of the customers who cancelled in the month (a positive amount)."),
        "mrr_reactivation": ("Reactivation MRR", "amount", "MRR of former customers who came back in the month."),
        "revenue": ("Revenue", "amount", "Total revenue of the month (recurring and one-off: setup, services)."),
        "sales": ("Number of sales", "count", "Sales closed in the month: new contracts and upsell deals."),
        "contract_months": ("Average contract length", "months", "Average duration of the customers' contracts, in months."),
        "cost_sales": ("Sales costs", "amount", "Sales spend of the month, people included (salaries, commissions, tools of the sales team)."),
        "cost_marketing": ("Marketing costs", "amount", "Marketing spend of the month, people included (campaigns, events, agencies, salaries)."),
        "cost_tools": ("Customer tools and software", "amount", "Tools used to serve and retain customers: support desk, CRM, customer success platform."),
        "cost_training": ("Customer training", "amount", "Training of customers: onboarding sessions, academy, webinars."),
        "cost_cs_staff": ("Customer success staff", "amount", "Salaries of customer success, onboarding and support teams."),
        "cost_loyalty": ("Loyalty programmes", "amount", "Retention and loyalty programmes, user events, customer marketing."),
        "cost_infrastructure": ("Infrastructure", "amount", "Hosting, cloud and the engineering time spent running the service."),
        "nps_promoters": ("NPS promoters (9-10)", "count", "Answers of 9 or 10 in the month's NPS survey: the Dashboard uses these counts for a month without answers on the Survey sheet."),
        "nps_passives": ("NPS passives (7-8)", "count", "Answers of 7 or 8 in the month's NPS survey."),
        "nps_detractors": ("NPS detractors (0-6)", "count", "Answers from 0 to 6 in the month's NPS survey."),
        "csat_positive": ("CSAT positive answers", "count", "Satisfaction answers of 4 or 5 (on 1-5) in the month: used for a month without answers on the Survey sheet."),
        "csat_responses": ("CSAT answers", "count", "All satisfaction answers of the month."),
        "tickets": ("Support tickets", "count", "Support tickets opened in the month."),
        "tickets_fcr": ("Resolved at first contact", "count", "Tickets of the month resolved at the first contact."),
        "net_profit": ("Net profit", "amount", "Net profit (or loss, negative) of the month."),
        "gross_margin": ("Gross margin", "%", "Gross margin as a share of revenue: (revenue - cost of revenue) / revenue."),
        "ebit": ("EBIT", "amount", "Earnings before interest and taxes of the month (negative for a loss)."),
        "interest": ("Interest expense", "amount", "Interest paid on debt in the month."),
        "current_assets": ("Current assets", "amount", "Current assets at the end of the month: cash, receivables, prepaid expenses."),
        "current_liabilities": ("Current liabilities", "amount", "Liabilities due within a year, at the end of the month (deferred revenue included)."),
        "cash": ("Cash", "amount", "Cash and marketable securities at the end of the month."),
        "receivables": ("Receivables", "amount", "Customer receivables at the end of the month."),
        "debt": ("Total debt", "amount", "Financial debt at the end of the month."),
        "equity": ("Shareholders' equity", "amount", "Shareholders' equity at the end of the month."),
        "total_assets": ("Total assets", "amount", "Total assets at the end of the month."),
        "customer_months": ("Customer-months", "count", "Sum over the period of the customers at the start of each month: the base of churn per month."),
    },
    "fr": {
        "visitors": ("Visiteurs uniques", "nombre", "Visiteurs uniques du site dans le mois (outil d'analyse web)."),
        "contacts": ("Contacts (abonnés)", "nombre", "Nouveaux contacts du mois : abonnés à la newsletter, téléchargements, inscriptions."),
        "leads": ("Leads", "nombre", "Nouveaux leads du mois : contacts ayant montré une intention d'achat. Au plus le nombre de contacts."),
        "mql": ("MQL", "nombre", "Leads qualifiés marketing créés dans le mois (parmi les leads)."),
        "sal": ("SAL", "nombre", "Leads acceptés par les ventes dans le mois (parmi les MQL)."),
        "sql": ("SQL", "nombre", "Leads qualifiés par les ventes dans le mois (parmi les SAL)."),
        "new_customers": ("Nouveaux clients", "nombre", "Nouveaux clients payants du mois, clients revenus compris."),
        "pql": ("PQL", "nombre", "Leads qualifiés par le produit : utilisateurs d'essai ou freemium ayant atteint les critères d'activation dans le mois."),
        "pql_converted": ("PQL convertis en payants", "nombre", "PQL du mois devenus clients payants."),
        "customers_start": ("Clients en début de mois", "nombre", "Clients payants le premier jour du mois (la fin du mois précédent)."),
        "customers_end": ("Clients en fin de mois", "nombre", "Clients payants le dernier jour du mois."),
        "churned_customers": ("Clients perdus (attrition)", "nombre", "Clients payants ayant résilié ou non renouvelé dans le mois."),
        "mrr_start": ("MRR en début de mois", "montant", "Revenu mensuel récurrent le premier jour du mois (la fin du mois précédent)."),
        "mrr_new": ("MRR nouveau", "montant", "MRR des clients gagnés dans le mois."),
        "mrr_expansion": ("MRR d'expansion", "montant", "MRR ajouté par les montées en gamme, licences et options des clients existants."),
        "mrr_contraction": ("MRR de contraction", "montant", "MRR perdu par les descentes en gamme de clients qui restent (montant positif)."),
        "mrr_churned": ("MRR perdu (attrition)", "montant", "MRR des clients ayant résilié dans le mois (montant positif)."),
        "mrr_reactivation": ("MRR de réactivation", "montant", "MRR des anciens clients revenus dans le mois."),
        "revenue": ("Chiffre d'affaires", "montant", "Chiffre d'affaires total du mois (récurrent et ponctuel : mise en service, prestations)."),
        "sales": ("Nombre de ventes", "nombre", "Ventes conclues dans le mois : nouveaux contrats et ventes additionnelles."),
        "contract_months": ("Durée moyenne des contrats", "mois", "Durée moyenne des contrats clients, en mois."),
        "cost_sales": ("Coûts commerciaux", "montant", "Dépenses commerciales du mois, personnel compris (salaires, commissions, outils de l'équipe)."),
        "cost_marketing": ("Coûts marketing", "montant", "Dépenses marketing du mois, personnel compris (campagnes, salons, agences, salaires)."),
        "cost_tools": ("Outils et logiciels client", "montant", "Outils servant à servir et fidéliser les clients : support, CRM, plateforme de customer success."),
        "cost_training": ("Formation des clients", "montant", "Formation des clients : sessions d'intégration, académie, webinaires."),
        "cost_cs_staff": ("Équipe customer success", "montant", "Salaires des équipes customer success, intégration et support."),
        "cost_loyalty": ("Programmes de fidélité", "montant", "Programmes de rétention et de fidélité, événements utilisateurs, marketing client."),
        "cost_infrastructure": ("Infrastructure", "montant", "Hébergement, cloud et temps d'ingénierie consacré à l'exploitation du service."),
        "nps_promoters": ("NPS promoteurs (9-10)", "nombre", "Réponses 9 ou 10 à l'enquête NPS du mois : le tableau de bord utilise ces effectifs pour un mois sans réponse dans la feuille Enquêtes."),
        "nps_passives": ("NPS passifs (7-8)", "nombre", "Réponses 7 ou 8 à l'enquête NPS du mois."),
        "nps_detractors": ("NPS détracteurs (0-6)", "nombre", "Réponses de 0 à 6 à l'enquête NPS du mois."),
        "csat_positive": ("CSAT réponses positives", "nombre", "Réponses de satisfaction de 4 ou 5 (sur 1-5) du mois : utilisées pour un mois sans réponse dans la feuille Enquêtes."),
        "csat_responses": ("CSAT réponses", "nombre", "Toutes les réponses de satisfaction du mois."),
        "tickets": ("Tickets de support", "nombre", "Tickets de support ouverts dans le mois."),
        "tickets_fcr": ("Résolus au premier contact", "nombre", "Tickets du mois résolus dès le premier contact."),
        "net_profit": ("Résultat net", "montant", "Résultat net (bénéfice, ou perte en négatif) du mois."),
        "gross_margin": ("Taux de marge brute", "%", "Marge brute rapportée au CA : (CA - coût des ventes) / CA."),
        "ebit": ("EBIT (résultat d'exploitation)", "montant", "Résultat avant intérêts et impôts du mois (négatif en cas de perte)."),
        "interest": ("Charges d'intérêts", "montant", "Intérêts payés sur la dette dans le mois."),
        "current_assets": ("Actif circulant", "montant", "Actif circulant en fin de mois : trésorerie, créances, charges constatées d'avance."),
        "current_liabilities": ("Passif circulant", "montant", "Dettes à moins d'un an en fin de mois (produits constatés d'avance compris)."),
        "cash": ("Trésorerie", "montant", "Trésorerie et valeurs mobilières de placement en fin de mois."),
        "receivables": ("Créances clients", "montant", "Créances clients en fin de mois."),
        "debt": ("Dettes financières", "montant", "Dettes financières en fin de mois."),
        "equity": ("Capitaux propres", "montant", "Capitaux propres en fin de mois."),
        "total_assets": ("Total de l'actif", "montant", "Total du bilan (actif) en fin de mois."),
        "customer_months": ("Mois-clients", "nombre", "Somme sur la période des clients en début de chaque mois : la base de l'attrition mensuelle."),
    },
}

#: Dashboard rows: key -> label, per language.
KPI_TEXT = {
    "en": {
        "mrr_new_shown": "New MRR",
        "mrr_expansion_shown": "Expansion MRR",
        "mrr_reactivation_shown": "Reactivation MRR",
        "mrr_contraction_shown": "Contraction MRR",
        "mrr_churned_shown": "Churned MRR",
        "net_new_mrr": "Net new MRR",
        "mrr_end": "MRR, end of period",
        "mrr_growth": "MRR growth",
        "arr": "ARR (MRR x 12)",
        "arpu": "ARPU per month (MRR / customers)",
        "average_basket": "Average basket (revenue / sales)",
        "revenue_churn": "Revenue churn (gross MRR churn)",
        "net_revenue_churn": "Net revenue churn",
        "nrr": "NRR (net revenue retention)",
        "grr": "GRR (gross revenue retention)",
        "quick_ratio": "SaaS quick ratio",
        "customers_end_shown": "Customers, end of period",
        "churn": "Customer churn per month",
        "churn_annual": "Customer churn per year (monthly, compounded)",
        "crr": "Customer retention over the period (CRR)",
        "lifetime": "Customer lifetime (months)",
        "crc": "Retention cost per customer (CRC)",
        "cost_to_serve": "Cost to serve per customer",
        "visitors_growth": "Visitors growth",
        "contacts_growth": "Contacts growth",
        "leads_growth": "Leads growth",
        "conversion_rate": "Lead to customer conversion",
        "mql_to_sql": "MQL to SQL conversion",
        "ccr": "Visitor to customer conversion (CCR)",
        "pql_conversion": "PQL to paid conversion",
        "cac": "CAC (customer acquisition cost)",
        "roi": "First-year ROI of S&M (new MRR x 12 x margin)",
        "ltv": "LTV (ARPU x margin / churn)",
        "ltv_cac": "LTV:CAC",
        "cac_payback": "CAC payback (months)",
        "clv_contract": "CLV, contract form",
        "clv_value": "CLV, value form (ARPU x lifetime)",
        "ltv_purchase": "LTV, purchase form",
        "nps": "NPS (survey answers, else Inputs counts)",
        "csat": "CSAT (survey answers, else Inputs counts)",
        "fcr": "First contact resolution",
        "net_margin": "Net profit margin",
        "current_ratio": "Current ratio",
        "acid_test": "Acid test (balance-sheet quick ratio)",
        "debt_to_equity": "Debt to equity",
        "equity_ratio": "Equity ratio",
        "interest_coverage": "Interest coverage",
    },
    "fr": {
        "mrr_new_shown": "MRR nouveau",
        "mrr_expansion_shown": "MRR d'expansion",
        "mrr_reactivation_shown": "MRR de réactivation",
        "mrr_contraction_shown": "MRR de contraction",
        "mrr_churned_shown": "MRR perdu",
        "net_new_mrr": "MRR net nouveau",
        "mrr_end": "MRR en fin de période",
        "mrr_growth": "Croissance du MRR",
        "arr": "ARR (MRR x 12)",
        "arpu": "ARPU mensuel (MRR / clients)",
        "average_basket": "Panier moyen (CA / ventes)",
        "revenue_churn": "Attrition du CA (brute)",
        "net_revenue_churn": "Attrition nette du CA",
        "nrr": "NRR (rétention nette du revenu)",
        "grr": "GRR (rétention brute du revenu)",
        "quick_ratio": "Quick ratio SaaS",
        "customers_end_shown": "Clients en fin de période",
        "churn": "Attrition client mensuelle",
        "churn_annual": "Attrition client annuelle (mensuelle composée)",
        "crr": "Rétention client sur la période (CRR)",
        "lifetime": "Durée de vie client (mois)",
        "crc": "Coût de rétention par client (CRC)",
        "cost_to_serve": "Coût de service par client",
        "visitors_growth": "Croissance des visiteurs",
        "contacts_growth": "Croissance des contacts",
        "leads_growth": "Croissance des leads",
        "conversion_rate": "Conversion lead en client",
        "mql_to_sql": "Conversion MQL en SQL",
        "ccr": "Conversion visiteur en client (CCR)",
        "pql_conversion": "Conversion PQL en payant",
        "cac": "CAC (coût d'acquisition client)",
        "roi": "ROI commercial 1re année (MRR nouveau x 12 x marge)",
        "ltv": "LTV (ARPU x marge / attrition)",
        "ltv_cac": "LTV:CAC",
        "cac_payback": "Retour sur CAC (mois)",
        "clv_contract": "CLV, forme contrat",
        "clv_value": "CLV, forme valeur (ARPU x durée de vie)",
        "ltv_purchase": "LTV, forme achats",
        "nps": "NPS (enquêtes, sinon effectifs des Saisies)",
        "csat": "CSAT (enquêtes, sinon effectifs des Saisies)",
        "fcr": "Résolution au premier contact",
        "net_margin": "Marge nette",
        "current_ratio": "Ratio de liquidité générale",
        "acid_test": "Liquidité réduite (acid test)",
        "debt_to_equity": "Dettes / capitaux propres",
        "equity_ratio": "Ratio d'autonomie (capitaux propres / actif)",
        "interest_coverage": "Couverture des intérêts",
    },
}

#: The How to use sheet, line by line (a line starting with "# " is a heading).
HOW_TO = {
    "en": [
        "# What this workbook does",
        "You type your monthly figures; the Dashboard computes every SaaS KPI with the KPI_* functions of xl-kpi and shows the trends.",
        "The KPI_* functions run in Excel through xlwings: on Windows, import udfs.bas (xl-kpi vba) into a workbook that uses the xlwings add-in; on Mac and the web, xlwings Lite (see the xl-kpi README). Anywhere, `xl-kpi recalc FILE` recalculates the workbook without Excel and stores the values, which every spreadsheet program shows.",
        "# Every month",
        "1. Inputs: fill the month's column. Only the coloured cells take input; the notes on each row say what goes in it.",
        "2. Survey: type each NPS answer (0-10) and each CSAT answer (1-5) under its month, one answer per row.",
        "3. Dashboard: read the month, the quarter and the year. Cells in green meet the benchmark, in red they do not.",
        "4. Subscriptions: paste the billing export (customer id, month, MRR: one row per customer and month). The MRR movements appear next to it, the cohorts on the Cohorts sheet.",
        "# Good to know",
        "Type the first month on Inputs (cell C5); the other months follow. Quarters are blocks of three months from the first month, years blocks of twelve.",
        "Rates are fractions shown as %. Money keeps the currency you type. An error value says why a KPI cannot be computed: #DIV/0! a zero denominator (no customers, no leads), #NUM! a value out of range (more lost customers than customers), #N/A no data yet.",
        "Roll-ups are computed from the summed inputs (sheet Roll-ups), not by averaging monthly KPIs.",
        "The sheets are protected without a password so formulas are not overwritten by mistake: Review > Unprotect Sheet to change them.",
        "# Subscriptions and cohorts",
        "KPI_MRR_MOVEMENTS and KPI_COHORTS compute their whole table from the ledger's columns (up to 3,000 rows; insert rows below the MRR movements table for more: the formulas follow). Definitions: new = first payment; reactivation = payment after a month without; expansion and contraction = change of a paying customer's MRR; churned = last MRR, counted in the first month without payment. The ledger's first month counts every customer as new.",
        "In the blank template each table is one array formula over 36 months (a longer ledger shows its first 36); the rows after your last month hold #N/A, shown blank. In Excel 365 you may instead type the formula in the table's first cell alone: it spills to the right size. The example writes each cell as =INDEX(KPI_MRR_MOVEMENTS(...),row,column), which computes the same numbers.",
        "LibreOffice cannot run the KPI_* functions. It shows the values that xl-kpi recalc stored in ordinary formulas (the whole example), but recomputes every array formula when it opens a file and shows #NAME? there: in LibreOffice, the blank template's Dashboard, Subscriptions and Cohorts tables show #NAME?, even after xl-kpi recalc. For LibreOffice, write the template cell by cell with `xl-kpi templates --for-libreoffice`: type your figures, save, run `xl-kpi recalc FILE --in-place`, and reopen it.",
        "# Mac, Windows and Excel on the web: xlwings Lite",
        "1. Home > Add-ins, search for xlwings Lite, Add (free). 2. In its editor, requirements.txt: add the line  xl-kpi  then main.py: add the line  from xl_kpi.udfs import *  3. Restart xlwings Lite (menu > Restart): the KPI_* functions work in this Excel, with their help and a dropdown for each option.",
        "For Lite, use the workbook xl-kpi-template-lite-en.xlsx: the same sheets, one spilling formula per row and per table (Excel 365 sizes each table to your ledger).",
        "# Sources",
        "KPI definitions: five French articles on SaaS B2B KPIs (S0-S4). Benchmarks: LTV:CAC 3:1 (S1, S3, S4), NRR 100 % (S4), churn 5-7 % a year (S4), NPS SaaS average 41 (S4).",
    ],
    "fr": [
        "# À quoi sert ce classeur",
        "Vous saisissez vos chiffres mensuels ; le tableau de bord calcule chaque KPI SaaS avec les fonctions KPI_* de xl-kpi et montre les tendances.",
        "Les fonctions KPI_* s'exécutent dans Excel grâce à xlwings : sous Windows, importez udfs.bas (xl-kpi vba) dans un classeur qui utilise le complément xlwings ; sur Mac et sur le web, xlwings Lite (voir le README de xl-kpi). Partout, `xl-kpi recalc FICHIER` recalcule le classeur sans Excel et enregistre les valeurs, que tout tableur affiche.",
        "# Chaque mois",
        "1. Saisies : remplissez la colonne du mois. Seules les cellules colorées se saisissent ; le commentaire de chaque ligne dit ce qu'elle contient.",
        "2. Enquêtes : saisissez chaque réponse NPS (0-10) et CSAT (1-5) sous son mois, une réponse par ligne.",
        "3. Tableau de bord : lisez le mois, le trimestre et l'année. En vert, la référence est atteinte ; en rouge, elle ne l'est pas.",
        "4. Abonnements : collez l'export de facturation (identifiant client, mois, MRR : une ligne par client et par mois). Les mouvements du MRR s'affichent à côté, les cohortes dans la feuille Cohortes.",
        "# Bon à savoir",
        "Saisissez le premier mois dans Saisies (cellule C5) ; les autres mois s'en déduisent. Les trimestres sont des blocs de trois mois depuis le premier mois, les années des blocs de douze.",
        "Les taux sont des fractions affichées en %. Les montants gardent la devise saisie. Une valeur d'erreur dit pourquoi un KPI ne se calcule pas : #DIV/0! dénominateur nul (aucun client, aucun lead), #NOMBRE! valeur hors domaine (plus de clients perdus que de clients), #N/A pas encore de données.",
        "Les cumuls se calculent sur les saisies additionnées (feuille Cumuls), pas en moyennant les KPI mensuels.",
        "Les feuilles sont protégées sans mot de passe pour éviter d'écraser une formule par erreur : Révision > Ôter la protection de la feuille pour les modifier.",
        "# Abonnements et cohortes",
        "KPI_MRR_MOVEMENTS et KPI_COHORTS calculent tout leur tableau à partir des colonnes du registre (jusqu'à 3 000 lignes ; pour plus, insérez des lignes sous le tableau des mouvements du MRR : les formules suivent). Définitions : nouveau = premier paiement ; réactivation = paiement après un mois sans ; expansion et contraction = variation du MRR d'un client payant ; perdu = dernier MRR, compté le premier mois sans paiement. Le premier mois du registre compte chaque client comme nouveau.",
        "Dans le modèle vierge, chaque tableau est une formule matricielle sur 36 mois (un registre plus long montre ses 36 premiers) ; les lignes après votre dernier mois contiennent #N/A, affiché en blanc. Dans Excel 365, vous pouvez plutôt saisir la formule dans la seule première cellule du tableau : elle se propage à la bonne taille. L'exemple écrit chaque cellule sous la forme =INDEX(KPI_MRR_MOVEMENTS(...);ligne;colonne), qui calcule les mêmes nombres.",
        "LibreOffice ne sait pas exécuter les fonctions KPI_*. Il affiche les valeurs enregistrées par xl-kpi recalc dans les formules ordinaires (tout l'exemple), mais recalcule chaque formule matricielle à l'ouverture et y affiche #NOM? (#NAME? en anglais) : dans LibreOffice, les tableaux du tableau de bord, des Abonnements et des Cohortes du modèle vierge affichent #NOM?, même après xl-kpi recalc. Pour LibreOffice, écrivez le modèle cellule par cellule avec `xl-kpi templates --for-libreoffice` : saisissez vos chiffres, enregistrez, lancez `xl-kpi recalc FICHIER --in-place` et rouvrez-le.",
        "# Mac, Windows et Excel pour le web : xlwings Lite",
        "1. Accueil > Compléments, cherchez xlwings Lite, Ajouter (gratuit). 2. Dans son éditeur, requirements.txt : ajoutez la ligne  xl-kpi  puis main.py : ajoutez la ligne  from xl_kpi.udfs import *  3. Redémarrez xlwings Lite (menu > Restart) : les fonctions KPI_* marchent dans cet Excel, avec leur aide et une liste déroulante pour chaque option.",
        "Pour Lite, utilisez le classeur xl-kpi-modele-lite-fr.xlsx : les mêmes feuilles, une formule propagée par ligne et par tableau (Excel 365 ajuste chaque tableau à votre registre).",
        "# Sources",
        "Définitions des KPI : cinq articles français sur les KPI SaaS B2B (S0-S4). Références : LTV:CAC de 3 (S1, S3, S4), NRR de 100 % (S4), attrition de 5 à 7 % par an (S4), NPS moyen du SaaS de 41 (S4).",
    ],
}


def text(lang: str, key: str) -> str:
    """A short text in ``lang``."""
    return TEXT[lang][key]


def sheet_name(lang: str, sheet: str) -> str:
    """The name of a sheet (``"inputs"``, ``"dashboard"``...) in ``lang``."""
    return SHEETS[lang][sheet]
