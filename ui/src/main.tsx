// Entry point: mount the dashboard into #app.

import { render } from 'preact';
import { GraphQLClient } from './api/client';
import { Api } from './api/operations';
import { App } from './app';
import './styles.css';

const root = document.getElementById('app');
if (root) render(<App api={new Api(new GraphQLClient())} />, root);
